#!/usr/bin/env bash
# Writes gatewatch.1.gz from the binary's own --help with help2man: the
# commands (`gatewatch --help`), every setting (`gatewatch serve --help`) and
# the account commands, plus packaging/gatewatch.h2m (description, files,
# examples). Usage: manpage.sh BINARY VERSION INCLUDE OUTPUT.gz
set -euo pipefail
binary=$1 version=$2 include=$3 output=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# help2man runs `PROGRAM --help` and `PROGRAM --version`; this stand-in
# answers --help with all three texts.
cat >"$work/gatewatch" <<'SCRIPT'
#!/usr/bin/env bash
set -euo pipefail
# CLI11 prints argv[0] in its usage lines.
run() { (exec -a gatewatch "$GATEWATCH_MANPAGE_BINARY" "$@"); }
if [ "${1:-}" = --version ]; then echo "gatewatch $GATEWATCH_MANPAGE_VERSION"; exit 0; fi
run --help | sed 1d  # its first line is the NAME section's
echo
echo "Serve options:"
run serve --help | sed -n '/^Options:/,$p' | sed 1d | grep -v '^ *-h,--help'
echo
echo "Account commands (each also takes --config and --data-dir, as serve):"
for command in add passwd list delete; do
  help=$(run user "$command" --help)
  printf '  %s\n%30s%s\n' "$(sed -n 's/^Usage: //p' <<<"$help")" "" "$(head -n 1 <<<"$help")"
  sed -n '/^Options:/,$p' <<<"$help" | sed 1d |
    grep -v -e '^ *-h,--help' -e '^ *-c,--config' -e '^ *--data-dir' \
            -e '^ \{20,\}TOML configuration file' -e '^ \{20,\}Directory of the database' || true
done
SCRIPT
chmod +x "$work/gatewatch"

GATEWATCH_MANPAGE_BINARY=$binary GATEWATCH_MANPAGE_VERSION=$version LC_ALL=C.UTF-8 \
  help2man --no-info --no-discard-stderr --section 1 --manual "User Commands" \
  --name "live up/down monitor for network gateways and devices" \
  --include "$include" --output "$work/gatewatch.1" "$work/gatewatch"
gzip -9n <"$work/gatewatch.1" >"$output.tmp"
mv "$output.tmp" "$output"
