#!/usr/bin/env bash
# CLI golden tests. Each folder under cases/ holds:
#   args             the arguments, in shell syntax (run from inside the folder)
#   stdin            optional: fed to standard input
#   expected_stdout  exactly what must be printed on stdout
#   expected_exit    the exit code
#   expected_stderr  optional: a text stderr must contain
# usage: run_golden.sh CAPCONF_BINARY
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
for dir in "$here"/cases/*/; do
  name=$(basename "$dir")
  args=$(cat "$dir/args")
  stdin_file=/dev/null
  [[ -f "$dir/stdin" ]] && stdin_file="$dir/stdin"
  out=$(cd "$dir" && eval "\"$bin\" $args" <"$stdin_file" 2>/tmp/capconf-golden-stderr.$$)
  code=$?
  err=$(cat /tmp/capconf-golden-stderr.$$)
  problems=()
  expected_out=$(cat "$dir/expected_stdout")
  [[ "$out" == "$expected_out" ]] || problems+=("stdout differs:"$'\n'"$(diff <(echo "$expected_out") <(echo "$out"))")
  expected_code=$(cat "$dir/expected_exit")
  [[ "$code" == "$expected_code" ]] || problems+=("exit $code, expected $expected_code")
  if [[ -f "$dir/expected_stderr" ]]; then
    want=$(cat "$dir/expected_stderr")
    [[ "$err" == *"$want"* ]] || problems+=("stderr lacks '$want': $err")
  fi
  if ((${#problems[@]})); then
    failed=$((failed + 1))
    echo "FAIL $name"
    printf '  %s\n' "${problems[@]}"
  else
    passed=$((passed + 1))
  fi
done
rm -f /tmp/capconf-golden-stderr.$$
echo "cli golden: $passed passed, $failed failed"
((failed == 0))
