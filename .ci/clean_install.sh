#!/usr/bin/env bash
# A clean install, as a user makes it: build the wheel, install it into a fresh virtual
# environment (its dependencies from the package index, never the development group),
# then run what a user runs first. A runtime import that is not a declared dependency,
# or a template/static file/migration left out of the wheel, fails here, not at a user's.
#
# Usage: .ci/clean_install.sh      (make test-install; part of make test)
# PY picks the interpreter (default python3), UV the uv binary (default .venv-tools/bin/uv,
# else pip wheel). Nothing is cached across runs: every run builds and installs afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-python3}
UV=${UV:-$ROOT/.venv-tools/bin/uv}

# The caller's settings must not leak in: the clean install runs on its defaults only.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(XUNCHA_|DJANGO_)' || true)
unset PYTHONPATH VIRTUAL_ENV

TMP=$(mktemp -d "${TMPDIR:-/tmp}/xuncha-clean-install.XXXXXX")
SERVER=""
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

STEP=""
fail() {
  echo "干净安装检查失败（${STEP}）：$*" >&2
  if [ -s "$TMP/step.log" ]; then
    echo "----- 该步骤的输出（最后 40 行）-----" >&2
    tail -n 40 "$TMP/step.log" >&2
  fi
  if [ -n "$SERVER" ] && [ -s "$TMP/serve.log" ]; then
    echo "----- xuncha serve 的输出（最后 40 行）-----" >&2
    tail -n 40 "$TMP/serve.log" >&2
  fi
  exit 1
}
# run NAME CMD...: one step, its output kept for the failure message only.
run() {
  STEP=$1
  shift
  echo "== $STEP"
  "$@" >"$TMP/step.log" 2>&1 || fail "命令退出码 $?：$*"
}
# expect_outputs DIR: a finished check wrote its hits (with at least one hit) and manifest.
expect_outputs() {
  for f in hits.csv manifest.json 疑点核查表.xlsx; do
    [ -s "$1/$f" ] || fail "比对没有写出 $1/$f"
  done
  [ "$(wc -l <"$1/hits.csv")" -gt 1 ] || fail "$1/hits.csv 没有任何疑点（模拟数据里应有）"
}

# 1. The wheel, built from this tree.
if [ -x "$UV" ]; then
  run "构建 wheel（uv build）" "$UV" build --wheel --no-progress --out-dir "$TMP/dist" "$ROOT"
else
  run "构建 wheel（pip wheel）" "$PY" -m pip wheel --no-deps -q -w "$TMP/dist" "$ROOT"
fi
WHEELS=("$TMP"/dist/xuncha-*.whl)
[ -f "${WHEELS[0]}" ] || fail "没有生成 wheel 文件"
WHEEL=${WHEELS[0]}

# 2. Every file of the package in the source tree (templates, static files, migrations,
#    deploy templates) is in the wheel.
STEP="核对 wheel 内容"
echo "== $STEP"
"$PY" - "$WHEEL" "$ROOT/src" >"$TMP/step.log" 2>&1 <<'EOF' || fail "wheel 缺少文件"
import sys, zipfile
from pathlib import Path

wheel, src = sys.argv[1], Path(sys.argv[2])
inside = set(zipfile.ZipFile(wheel).namelist())
files = {
    p.relative_to(src).as_posix()
    for p in (src / "xuncha").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
}
missing = sorted(files - inside)
for name in missing:
    print(f"wheel 缺少：src/{name}")
kinds = {
    "静态文件": "/static/", "模板": "/templates/", "迁移": "/migrations/0", "部署模板": ".template"
}
for label, part in kinds.items():
    if not any(part in name for name in inside):
        print(f"wheel 里没有任何{label}（{part}）")
        missing.append(label)
sys.exit(1 if missing else 0)
EOF

# 3. A fresh virtual environment with the wheel and its declared dependencies only.
run "创建虚拟环境" "$PY" -m venv "$TMP/venv"
run "安装 wheel（依赖来自软件包索引）" "$TMP/venv/bin/pip" install -q "$WHEEL"
BIN=$TMP/venv/bin
run "确认没有装入开发依赖" "$BIN/python" -c "
import importlib.util as u, sys
# pandas is not in this list: OR-Tools (the term planner's solver) requires it, so every
# install has it; Xuncha's own code still does not import it (the stop hook checks).
extra = [m for m in ('pytest', 'openpyxl', 'hypothesis', 'selenium') if u.find_spec(m)]
sys.exit(f'开发依赖出现在干净环境里：{extra}' if extra else 0)"

# 4. What a user runs first, away from the source tree.
mkdir "$TMP/work"
cd "$TMP/work"
export XUNCHA_DATA_DIR=$TMP/work/xuncha-data
run "xuncha datagen" "$BIN/xuncha" datagen --out data --payments 2000
shopt -s nullglob
XLSX=(data/20*.xlsx)
CSV=(data/20*.csv)
shopt -u nullglob
[ ${#XLSX[@]} -gt 0 ] && [ ${#CSV[@]} -gt 0 ] || fail "datagen 没有生成 xlsx 和 csv 发放名单"
LISTS=(--deaths data/死亡人员名单.xlsx --payroll data/财政供养人员信息.csv)
run "xuncha check（xlsx，含合并单元格）" "$BIN/xuncha" check --payments "${XLSX[@]}" "${LISTS[@]}" --out out-xlsx
expect_outputs out-xlsx
run "xuncha check（csv）" "$BIN/xuncha" check --payments "${CSV[@]}" "${LISTS[@]}" --out out-csv
expect_outputs out-csv

export XUNCHA_DATA_DIR=$TMP/work/demo-data
run "xuncha demo --no-serve" "$BIN/xuncha" demo --no-serve --out demo --payments 2000
[ -n "$(find demo -name '疑点核查表.xlsx' -print -quit)" ] || fail "demo 没有写出 疑点核查表.xlsx"
[ -d "$XUNCHA_DATA_DIR" ] || fail "demo 没有在 XUNCHA_DATA_DIR（$XUNCHA_DATA_DIR）建立工作台数据"

# 5. The web server on the demo's data: a page and a static file (WhiteNoise serves it from
#    the installed package, with no collectstatic).
PORT=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
STEP="xuncha serve"
echo "== $STEP（端口 $PORT）"
"$BIN/xuncha" serve --port "$PORT" >"$TMP/serve.log" 2>&1 &
SERVER=$!
run "xuncha serve 应答登录页和静态文件" "$BIN/python" - "$PORT" <<'EOF'
import sys, time, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 90
while True:
    try:
        page = urllib.request.urlopen(base + "/login/", timeout=10)
        break
    except OSError as err:
        if time.monotonic() > deadline:
            sys.exit(f"90 秒内 {base}/login/ 无应答：{err}")
        time.sleep(0.5)
html = page.read().decode()
assert page.status == 200 and "<form" in html, f"登录页异常：HTTP {page.status}"
css = urllib.request.urlopen(base + "/static/xuncha/app.css", timeout=10)
assert css.status == 200 and css.read(), f"静态文件 app.css：HTTP {css.status}"
print("登录页与 app.css 均为 200")
EOF
kill -0 "$SERVER" 2>/dev/null || fail "服务进程已退出"
kill -TERM "$SERVER"
STEP="停止 xuncha serve"
for _ in $(seq 60); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$SERVER" 2>/dev/null; then
  fail "收到 SIGTERM 30 秒后仍未退出"
fi
wait "$SERVER" 2>/dev/null || true
SERVER=""

cd "$ROOT"
echo "干净安装检查通过：$(basename "$WHEEL")"
