#!/usr/bin/env bash
# Fuzzes session-keeper's parsers and its storage-event path with cargo-fuzz (libFuzzer).
#
#   bash fuzz/run.sh                      # every target, 180 s each
#   FUZZ_SECONDS=60 bash fuzz/run.sh      # shorter
#   FUZZ_TARGETS="jwt_decode" bash fuzz/run.sh
#
# Targets (fuzz/fuzz_targets/): jwt_decode, record_parse, storage_event, json_value.
# Needs a nightly toolchain (FUZZ_TOOLCHAIN, default `nightly`); installs cargo-fuzz if missing.
# The seed corpus is generated here into fuzz/corpus/<target>/ (not committed; what libFuzzer
# finds accumulates there between runs). A crash leaves its input in fuzz/artifacts/<target>/;
# reproduce it with `cargo +nightly fuzz run -s none <target> <file>`.
# Prints one summary line per target and exits non-zero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-180}
TOOLCHAIN=${FUZZ_TOOLCHAIN:-nightly}
# The core is safe Rust (no `unsafe`): AddressSanitizer would only halve the executions. Debug
# assertions and overflow checks stay on (cargo-fuzz's default).
SANITIZER=${FUZZ_SANITIZER:-none}
TARGETS=${FUZZ_TARGETS:-jwt_decode record_parse storage_event json_value}
CARGO_FUZZ_VERSION=0.13.2
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1; then
  echo "fuzz: the $TOOLCHAIN toolchain is not installed (cargo-fuzz needs a nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION (about 2 minutes, once)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked \
    || cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
echo "fuzz: $(rustup run "$TOOLCHAIN" rustc --version), $(cargo fuzz --version), sanitizer $SANITIZER, ${SECONDS_EACH} s per target"

## Seed corpus -------------------------------------------------------------------------------
b64() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
seed() { mkdir -p "fuzz/corpus/$1"; printf '%s' "$3" > "fuzz/corpus/$1/seed-$2"; }

HEADER='{"alg":"RS256","typ":"JWT","kid":"k1"}'
FULL='{"sub":"user-1","sid":"s-1","environment_id":"env-fuzz","iss":"x","iat":1795737600,"exp":1795741200,"verified_credentials":[{"format":"email","email":"a@b.c"},{"format":"blockchain","address":"0xAbC1","chain":"eip155","wallet_name":"metamask"}]}'
BARE='{"exp":1795741200.5}'
NULLS='{"sub":null,"sid":"s-2","iat":1.7957376e9,"exp":17957412e2,"extra":{"deep":[1,[2,[3]]]}}'
TOKEN="$(b64 "$HEADER").$(b64 "$FULL").$(b64 sig)"
TOKEN_BARE="$(b64 '{}').$(b64 "$BARE").$(b64 s)"
TOKEN_PADDED="$(printf '%s' "$HEADER" | base64 -w0 | tr '+/' '-_').$(b64 "$NULLS").c2ln"

# jwt_decode: a mode byte, then the token (mode 0) or NUL-separated parts to encode (mode 1).
mkdir -p fuzz/corpus/jwt_decode
printf '\000%s' "$TOKEN" > fuzz/corpus/jwt_decode/seed-full
printf '\000%s' "$TOKEN_BARE" > fuzz/corpus/jwt_decode/seed-bare
printf '\000%s' "$TOKEN_PADDED" > fuzz/corpus/jwt_decode/seed-padded
printf '\001%s\000%s\000sig' "$HEADER" "$FULL" > fuzz/corpus/jwt_decode/seed-parts-full
printf '\001{}\000%s\000s' "$NULLS" > fuzz/corpus/jwt_decode/seed-parts-nulls
printf '\001{}\000{"iat":2,"exp":1}\000s' > fuzz/corpus/jwt_decode/seed-parts-order

SESSION="{\"v\":1,\"session\":{\"token\":\"$TOKEN\",\"user\":{\"name\":\"Ada\",\"tags\":[\"a\\u00e9\",null,1.5e3]},\"wallets\":[{\"address\":\"So1ana\",\"chain\":\"solana\",\"connector\":\"phantom\",\"verified\":false}],\"skew\":-1500,\"anchor\":1795737600000},\"ended\":null}"
seed record_parse session "$SESSION"
seed record_parse session-bare "{\"v\":1,\"session\":{\"token\":\"$TOKEN_BARE\",\"user\":null,\"wallets\":[],\"skew\":0,\"anchor\":0}}"
seed record_parse ended '{"v":1,"session":null,"ended":{"key":"sid:s-1","reason":"logout","at":1795737600000}}'
seed record_parse ended-revoked ' { "ended" : { "at" : 1.7e12 , "reason" : "revoked" , "key" : "token:00ff" } , "v" : 1.0 } '
seed record_parse newer '{"v":2,"anything":[]}'
seed record_parse old '{"v":0,"session":null}'

seed json_value object '{"a":[1,{"b":null}],"c":true,"d":"\u00e9\ud83d\ude00\ud83d","e":-0.5e-7}'
seed json_value deep '[[[[[[[[[[{"a":[[[[{}]]]]}]]]]]]]]]]'
seed json_value string '"a\"\\\/\b\f\n\r\t\u0041"'
seed json_value numbers '[0,-0,1e5,1E+5,1.25,-12.5e-3,9007199254740993,123456789012345678901234567890]'
seed json_value integer '-9007199254740992'

# storage_event decodes its input with `arbitrary`: random bytes are as good a start as any.
mkdir -p fuzz/corpus/storage_event
for i in 1 2 3 4; do head -c 512 /dev/urandom > "fuzz/corpus/storage_event/seed-random-$i"; done

mkdir -p fuzz/target
DICT=fuzz/target/json.dict
: > "$DICT"
for word in v session ended token user wallets skew anchor key reason at logout expired revoked \
  replaced address chain connector verified exp iat sub sid environment_id verified_credentials \
  format blockchain wallet_name alg; do
  printf '"\\"%s\\""\n' "$word" >> "$DICT"
done
printf '%s\n' '"true"' '"false"' '"null"' '"\\u"' '"\\ud83d"' '"\\ude00"' '"e+"' '"-0."' '"1e999"' \
  '"\\\\"' '":"' '","' '"{}"' '"[]"' '"sid:"' '"token:"' >> "$DICT"

## Run ----------------------------------------------------------------------------------------
max_len() {
  case "$1" in
    jwt_decode) echo 4096 ;;
    record_parse) echo 8192 ;;
    json_value) echo 4096 ;;
    storage_event) echo 16384 ;;
  esac
}

echo "fuzz: building the targets"
cargo "+$TOOLCHAIN" fuzz build -s "$SANITIZER" >/dev/null 2>fuzz/target/build.log || { cat fuzz/target/build.log >&2; exit 1; }

failed=0
summary=()
for target in $TARGETS; do
  log="fuzz/target/$target.log"
  args=(-max_total_time="$SECONDS_EACH" -max_len="$(max_len "$target")" -timeout=10 -print_final_stats=1)
  [ "$target" != storage_event ] && args+=(-dict="$DICT")
  echo "fuzz: $target for $SECONDS_EACH s"
  stamp="fuzz/target/$target.started"
  touch "$stamp"
  start=$(date +%s)
  status=0
  cargo "+$TOOLCHAIN" fuzz run -s "$SANITIZER" "$target" "fuzz/corpus/$target" -- "${args[@]}" >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  crashes=$(find "fuzz/artifacts/$target" -type f -newer "$stamp" 2>/dev/null | wc -l)
  # A crash before the final stats leaves no executed-units line; count the status too.
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  line="$target: ${runs:-?} runs in ${elapsed} s (${rate:-?} exec/s), corpus $corpus, crashes $crashes"
  summary+=("$line")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz: $target CRASHED (exit $status); the end of $log:" >&2
    tail -n 40 "$log" >&2
    for input in $(find "fuzz/artifacts/$target" -type f -newer "$stamp" 2>/dev/null); do
      echo "fuzz: input $input (reproduce: cargo +$TOOLCHAIN fuzz run -s $SANITIZER $target $input):" >&2
      od -An -c "$input" | head -n 20 >&2
    done
  fi
done

echo
echo "fuzz summary ($(rustup run "$TOOLCHAIN" rustc --version)):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
