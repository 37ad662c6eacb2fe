//! A generated dump's columns: which there are, in which order, and their header names.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A column of a generated dump.
pub(super) enum Col {
    Id,
    Name,
    Father,
    Msisdn,
    Cnic,
    Address,
    City,
    Imsi,
    Date,
}

/// The two column orders a generated dump can have (drawn per file).
pub(super) const LAYOUTS: [&[Col]; 2] = [
    &[
        Col::Id,
        Col::Name,
        Col::Father,
        Col::Msisdn,
        Col::Cnic,
        Col::Address,
        Col::City,
        Col::Imsi,
        Col::Date,
    ],
    &[
        Col::Id,
        Col::Cnic,
        Col::Name,
        Col::Father,
        Col::City,
        Col::Address,
        Col::Msisdn,
        Col::Date,
        Col::Imsi,
    ],
];

/// A column's header name, before casing.
pub(super) fn col_name(c: Col) -> &'static str {
    match c {
        Col::Id => "id",
        Col::Name => "name",
        Col::Father => "father_name",
        Col::Msisdn => "msisdn",
        Col::Cnic => "cnic",
        Col::Address => "address",
        Col::City => "city",
        Col::Imsi => "imsi",
        Col::Date => "activation_date",
    }
}

/// `name` in header case `case` (see `Style::header_case`).
pub(super) fn cased(name: &str, case: u8) -> String {
    match case {
        1 => name.to_ascii_uppercase(),
        2 => name
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("_"),
        _ => name.to_owned(),
    }
}
