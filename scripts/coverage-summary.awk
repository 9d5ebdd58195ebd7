# Reads `gcov -b -n` output for the driver core's objects and prints, for each native-driver/core/*.c
# file, its line and branch coverage, then the totals (lines executed; branches taken at least once).
/^File '/ {
    file = $2
    gsub("'", "", file)
    core = file ~ /native-driver\/core\/[^\/]*\.c$/
    if (core) {
        name = file
        sub(/.*native-driver\/core\//, "", name)
    }
    next
}
core && /^Lines executed:/ {
    split($0, a, /[:% ]+/)      # Lines executed:NN.NN% of N
    pct = a[3]; n = $NF
    lines += n; lines_hit += n * pct / 100
    line_text[name] = sprintf("lines %6.2f%% of %4d", pct, n)
}
core && /^Taken at least once:/ {
    split($0, b, /[:% ]+/)
    pct = b[5]; n = $NF
    branches += n; branches_hit += n * pct / 100
    printf "%-16s %s, branches taken %6.2f%% of %4d\n", name, line_text[name], pct, n
    core = 0
}
core && /^No branches/ {
    printf "%-16s %s, no branches\n", name, line_text[name]
    core = 0
}
END {
    printf "native-driver/core: lines %.1f%% of %d, branches taken %.1f%% of %d\n",
        100 * lines_hit / lines, lines, 100 * branches_hit / branches, branches
}
