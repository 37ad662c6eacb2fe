# First step of the coreutils baseline of scripts/bench.sh: flattens RFC 4180 quoting so that
# `awk -F,` sees one record per line. Inside double quotes, commas and CRs become spaces and a
# newline joins the next line with a space; the quotes themselves are dropped (a doubled quote
# `""` toggles the state twice, so it is handled too). Lines without quotes pass untouched.
{
    sub(/\r$/, "")
    if (!inq && index($0, "\"") == 0) { print; next }
    n = split($0, seg, "\"")
    out = ""
    for (i = 1; i <= n; i++) {
        if (i > 1) inq = !inq
        if (inq) gsub(/[,\r]/, " ", seg[i])
        out = out seg[i]
    }
    if (inq) printf "%s ", out
    else print out
}
