# Shared by the scripts of .ci/: sourced, never run. Each script that sources it runs from the
# repository's root with `set -euo pipefail`.

step() { printf '\n== %s\n' "$*"; }

fail() { printf '\n!!! %s\n' "$*" >&2; exit 1; }

# bounded <minutes> <command...>: the command, killed with all it started once <minutes> are up, so
# that a test run that hangs fails CI at once instead of using up its whole time.
bounded() {
  local minutes=$1 rc=0
  shift
  timeout --kill-after=20s "${minutes}m" "$@" || rc=$?
  [ "$rc" -ne 124 ] || fail "$* did not finish within $minutes minutes"
  return "$rc"
}

wait_for() { # wait_for <what> <command...>: up to 60 s
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "$what did not come up" >&2
  return 1
}

# Where the extra runtimes and servers are installed, outside the repository, kept between runs.
SSS_CACHE="${SSS_CACHE:-/opt}"

# scratch_copy <dir>: a copy of this checkout (tracked and untracked files, not the ignored ones)
# with a copy of its installed node_modules, for a run that must change what is installed without
# touching the checkout's own. Made afresh each time, so a run never sees the last one's leftovers.
scratch_copy() {
  local dir=$1
  [ -d node_modules ] || fail "scratch_copy: no node_modules here; run npm ci first"
  rm -rf "$dir"
  mkdir -p "$dir/node_modules"
  git ls-files -z -co --exclude-standard | grep -zv '^node_modules$' | tar --null -T - -cf - | tar -xf - -C "$dir"
  # node_modules may be a symlink (a worktree sharing one install): copy what it points to.
  cp -a "$(readlink -f node_modules)/." "$dir/node_modules/"
}
