//! The text of a typed cell, as the CSV path would read the same value.
//!
//! Strings and binary values are their bytes. An integer is its decimal digits (an `Int64`
//! `923001234567` reads as the CSV text `923001234567`). A float is written as a number cell
//! holds it: an integral value below 2^53 (every 12-digit MSISDN and 13-digit CNIC is exact in
//! a double) as its digits, without the fraction; NaN (pandas' null) as an empty cell; anything
//! else (a fraction, ±inf, a huge value) in Rust's shortest round-trip form, which the
//! normalizer rejects. Decimals are their digits with their scale (`923001234567.00`). Null is
//! an empty cell, counted as `empty`. Other types (dates, booleans, nested) hold no
//! identifiers: [`Cells::new`] refuses them.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::DataType;

/// Integer values of any width.
pub(crate) trait Ints: Sync {
    fn get(&self, i: usize) -> i128;
}

impl<T: ArrowPrimitiveType> Ints for PrimitiveArray<T>
where
    T::Native: Into<i128>,
{
    #[inline]
    fn get(&self, i: usize) -> i128 {
        self.value(i).into()
    }
}

/// Float values of either width.
pub(crate) trait Floats: Sync {
    fn get(&self, i: usize) -> f64;
}

impl<T: ArrowPrimitiveType> Floats for PrimitiveArray<T>
where
    T::Native: Into<f64>,
{
    #[inline]
    fn get(&self, i: usize) -> f64 {
        self.value(i).into()
    }
}

/// One column of a batch, typed once per batch so that each cell costs a match, not a cast.
pub(crate) enum Cells<'a> {
    Str(&'a arrow_array::StringArray),
    LargeStr(&'a arrow_array::LargeStringArray),
    StrView(&'a arrow_array::StringViewArray),
    Bin(&'a arrow_array::BinaryArray),
    LargeBin(&'a arrow_array::LargeBinaryArray),
    BinView(&'a arrow_array::BinaryViewArray),
    FixedBin(&'a arrow_array::FixedSizeBinaryArray),
    Int(&'a dyn Array, &'a dyn Ints),
    Float(&'a dyn Array, &'a dyn Floats),
    Decimal(&'a PrimitiveArray<Decimal128Type>, i8),
    /// Dictionary-encoded values: the keys as indices into the values.
    Dict(Vec<Option<usize>>, Box<Cells<'a>>),
}

/// Whether values of type `ty` can hold identifiers (text or numbers).
pub(crate) fn holds_identifiers(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_)
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _) => true,
        DataType::Dictionary(_, value) => holds_identifiers(value),
        _ => false,
    }
}

macro_rules! ints {
    ($a:expr, $($t:ty),*) => {{
        let a: &dyn Array = $a;
        $(if let Some(p) = a.as_primitive_opt::<$t>() {
            return Some(Cells::Int(a, p));
        })*
    }};
}

impl<'a> Cells<'a> {
    /// The cells of `array`, or `None` for a type that cannot hold identifiers
    /// ([`holds_identifiers`]).
    pub(crate) fn new(array: &'a dyn Array) -> Option<Cells<'a>> {
        match array.data_type() {
            DataType::Utf8 => return Some(Cells::Str(array.as_string::<i32>())),
            DataType::LargeUtf8 => return Some(Cells::LargeStr(array.as_string::<i64>())),
            DataType::Utf8View => return Some(Cells::StrView(array.as_string_view())),
            DataType::Binary => return Some(Cells::Bin(array.as_binary::<i32>())),
            DataType::LargeBinary => return Some(Cells::LargeBin(array.as_binary::<i64>())),
            DataType::BinaryView => return Some(Cells::BinView(array.as_binary_view())),
            DataType::FixedSizeBinary(_) => {
                return Some(Cells::FixedBin(array.as_fixed_size_binary()))
            }
            DataType::Float32 => {
                return Some(Cells::Float(array, array.as_primitive::<Float32Type>()))
            }
            DataType::Float64 => {
                return Some(Cells::Float(array, array.as_primitive::<Float64Type>()))
            }
            DataType::Decimal128(_, scale) => {
                return Some(Cells::Decimal(
                    array.as_primitive::<Decimal128Type>(),
                    *scale,
                ))
            }
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary_opt()?;
                let values = Cells::new_owned_values(dict.values().as_ref())?;
                let keys = dict.keys();
                let indices = dict
                    .normalized_keys()
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| keys.is_valid(i).then_some(k))
                    .collect();
                return Some(Cells::Dict(indices, Box::new(values)));
            }
            _ => {}
        }
        ints!(
            array, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
            UInt64Type
        );
        None
    }

    /// [`Cells::new`] for a dictionary's values, which live as long as the dictionary.
    fn new_owned_values(values: &'a dyn Array) -> Option<Cells<'a>> {
        if matches!(values.data_type(), DataType::Dictionary(_, _)) {
            return None;
        }
        Cells::new(values)
    }

    /// The text of cell `i`: borrowed from the array, or written into `scratch`. Null → empty.
    #[inline]
    pub(crate) fn text<'s>(&'s self, i: usize, scratch: &'s mut Vec<u8>) -> &'s [u8] {
        match self {
            Cells::Str(a) => bytes_or_empty(*a, i, |i| a.value(i).as_bytes()),
            Cells::LargeStr(a) => bytes_or_empty(*a, i, |i| a.value(i).as_bytes()),
            Cells::StrView(a) => bytes_or_empty(*a, i, |i| a.value(i).as_bytes()),
            Cells::Bin(a) => bytes_or_empty(*a, i, |i| a.value(i)),
            Cells::LargeBin(a) => bytes_or_empty(*a, i, |i| a.value(i)),
            Cells::BinView(a) => bytes_or_empty(*a, i, |i| a.value(i)),
            Cells::FixedBin(a) => bytes_or_empty(*a, i, |i| a.value(i)),
            Cells::Int(a, v) => {
                if a.is_null(i) {
                    return b"";
                }
                scratch.clear();
                push_int(scratch, v.get(i));
                scratch
            }
            Cells::Float(a, v) => {
                if a.is_null(i) {
                    return b"";
                }
                scratch.clear();
                push_float(scratch, v.get(i));
                scratch
            }
            Cells::Decimal(a, scale) => {
                if a.is_null(i) {
                    return b"";
                }
                scratch.clear();
                push_decimal(scratch, a.value(i), *scale);
                scratch
            }
            Cells::Dict(keys, values) => match keys.get(i).copied().flatten() {
                Some(k) => values.text(k, scratch),
                None => b"",
            },
        }
    }
}

#[inline]
fn bytes_or_empty<'s, A: Array + ?Sized>(
    a: &A,
    i: usize,
    value: impl FnOnce(usize) -> &'s [u8],
) -> &'s [u8] {
    if a.is_null(i) {
        b""
    } else {
        value(i)
    }
}

/// Decimal digits of `v`, with a `-` if negative.
fn push_int(out: &mut Vec<u8>, v: i128) {
    if v < 0 {
        out.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The largest integer up to which every integer is exact in a double.
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

fn push_float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < EXACT_DOUBLE {
        push_int(out, v as i128);
    } else {
        use std::io::Write;
        let _ = write!(out, "{v}");
    }
}

fn push_decimal(out: &mut Vec<u8>, v: i128, scale: i8) {
    if scale <= 0 {
        push_int(out, v);
        out.extend(std::iter::repeat_n(b'0', usize::from(scale.unsigned_abs())));
        return;
    }
    let mut digits = Vec::with_capacity(40);
    push_int(&mut digits, v.unsigned_abs() as i128);
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        let pad = scale + 1 - digits.len();
        digits.splice(0..0, std::iter::repeat_n(b'0', pad));
    }
    if v < 0 {
        out.push(b'-');
    }
    let point = digits.len() - scale;
    out.extend_from_slice(&digits[..point]);
    out.push(b'.');
    out.extend_from_slice(&digits[point..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Decimal128Array, Float64Array, Int64Array, StringArray, UInt32Array};

    fn texts(a: &dyn Array) -> Vec<String> {
        let cells = Cells::new(a).unwrap();
        let mut scratch = Vec::new();
        (0..a.len())
            .map(|i| String::from_utf8_lossy(cells.text(i, &mut scratch)).into_owned())
            .collect()
    }

    #[test]
    fn numbers_read_as_the_csv_text_of_the_same_value() {
        let a = Int64Array::from(vec![Some(923001234567), None, Some(-5), Some(0)]);
        assert_eq!(texts(&a), ["923001234567", "", "-5", "0"]);
        let a = UInt32Array::from(vec![3001234567]);
        assert_eq!(texts(&a), ["3001234567"]);
        let a = Float64Array::from(vec![
            Some(923001234567.0),
            Some(3520212345671.0),
            Some(f64::NAN),
            None,
            Some(9230012345.5),
            Some(f64::INFINITY),
            Some(1e300),
        ]);
        let t = texts(&a);
        assert_eq!(
            &t[..5],
            ["923001234567", "3520212345671", "", "", "9230012345.5"]
        );
        assert_eq!(t[5], "inf");
        assert!(t[6].starts_with('1') && t[6].len() > 100, "{}", t[6]);
        let a = Decimal128Array::from(vec![Some(92300123456700), Some(-5), None])
            .with_precision_and_scale(20, 2)
            .unwrap();
        assert_eq!(texts(&a), ["923001234567.00", "-0.05", ""]);
        let a = Decimal128Array::from(vec![92300123456])
            .with_precision_and_scale(20, -1)
            .unwrap();
        assert_eq!(texts(&a), ["923001234560"]);
    }

    #[test]
    fn strings_and_dictionaries_are_their_bytes() {
        let a = StringArray::from(vec![Some("0300-1234567"), None, Some("")]);
        assert_eq!(texts(&a), ["0300-1234567", "", ""]);
        let d: arrow_array::DictionaryArray<Int32Type> =
            vec![Some("a"), None, Some("b"), Some("a")]
                .into_iter()
                .collect();
        assert_eq!(texts(&d), ["a", "", "b", "a"]);
    }

    #[test]
    fn other_types_hold_no_identifiers() {
        let a = arrow_array::BooleanArray::from(vec![true]);
        assert!(Cells::new(&a).is_none());
        assert!(!holds_identifiers(&DataType::Date32));
        assert!(holds_identifiers(&DataType::Dictionary(
            Box::new(DataType::Int8),
            Box::new(DataType::Utf8)
        )));
    }
}
