# The coreutils baseline of scripts/bench.sh: exact MSISDN/CNIC normalization in awk, what an
# analyst would write by hand. Input: a CSV with a header naming `msisdn` and `cnic` columns
# (any case), already flattened by unquote.awk (no quotes, no delimiters or
# newlines inside fields). Writes the canonical values, one per line, to the files MF (MSISDNs),
# CF (CNICs), PF (pairs `msisdn cnic`, records with both valid), through `LC_ALL=C sort -u`;
# prints `valid_msisdn_fields valid_cnic_fields pair_records` on stdout.
#
# Rules (the same as leakmatch-ingest, for the forms leakmatch gen writes): Urdu (U+06F0..9) and
# Arabic-Indic (U+0660..9) digits mapped to ASCII; surrounding blanks trimmed; Excel scientific
# notation rejected (lossy); a single trailing `.0`/`.00` dropped, any other fraction rejected;
# separators space - . ( ) removed; a `+` only in front. MSISDN: `+92`, `0092`, or `92` unless
# exactly 10 digits are left, then one trunk `0`; the 10-digit national number must match
# ^3([0-247][0-9]|3[0-79]|55|64)[0-9]{7}$. CNIC: 13 digits, first 1-7, last 1-9.
BEGIN {
    FS = ","
    for (i = 0; i < 10; i++) {
        URDU[i] = sprintf("%c%c", 219, 176 + i)
        ARAB[i] = sprintf("%c%c", 217, 160 + i)
    }
    HI1 = sprintf("%c", 219); HI2 = sprintf("%c", 217)
    sorter = "LC_ALL=C sort -u -S 1G --parallel=2 -o "
}
function ascii_digits(s,    i) {
    if (index(s, HI1) || index(s, HI2))
        for (i = 0; i < 10; i++) { gsub(URDU[i], i, s); gsub(ARAB[i], i, s) }
    return s
}
# Shared lexical rules; returns the digit string, "+" in front if it had one, or "" if rejected.
function lex(s,    plus) {
    s = ascii_digits(s)
    gsub(/^[ \t]+|[ \t]+$/, "", s)
    if (s ~ /^[+-]?[0-9]+([.,][0-9]*)?[eE][+-]?[0-9]+$/) return ""
    if (s ~ /^[^.]*\.[0-9][0-9]?$/) {
        if (s !~ /\.00?$/) return ""
        sub(/\.[0-9]+$/, "", s)
    }
    plus = ""
    if (substr(s, 1, 1) == "+") { plus = "+"; s = substr(s, 2) }
    gsub(/[ .()-]/, "", s)
    if (s !~ /^[0-9]+$/) return ""
    return plus s
}
function msisdn(s) {
    s = lex(s)
    if (s == "") return ""
    if (substr(s, 1, 1) == "+") {
        if (substr(s, 2, 2) != "92") return ""
        s = substr(s, 4)
    } else if (substr(s, 1, 4) == "0092") s = substr(s, 5)
    else if (substr(s, 1, 2) == "92" && length(s) != 10) s = substr(s, 3)
    if (substr(s, 1, 1) == "0") s = substr(s, 2)
    if (length(s) != 10 || s !~ /^3([0-247][0-9]|3[0-79]|55|64)/) return ""
    return "92" s
}
function cnic(s) {
    s = lex(s)
    if (length(s) != 13 || s !~ /^[1-7][0-9]*[1-9]$/) return ""
    return s
}
NR == 1 {
    for (i = 1; i <= NF; i++) {
        h = tolower($i); gsub(/[ \r]/, "", h)
        if (h == "msisdn") mc = i
        if (h == "cnic") cc = i
    }
    if (!mc || !cc) { print "normalize.awk: no msisdn/cnic column" > "/dev/stderr"; exit 2 }
    msort = sorter MF; csort = sorter CF; psort = sorter PF
    next
}
{
    m = msisdn($mc); c = cnic($cc)
    if (m != "") { vm++; print m | msort }
    if (c != "") { vc++; print c | csort }
    if (m != "" && c != "") { vp++; print m " " c | psort }
}
END {
    close(msort); close(csort); close(psort)
    print vm + 0, vc + 0, vp + 0
}
