#!/usr/bin/env bash
# Puts CLIP's BPE merges file, bpe_simple_vocab_16e6.txt.gz (the one
# open_clip_torch ships), at third_party/clip/ and checks its SHA-256. The
# tokenizer (runtime/text) reads it; the file is not in git.
#
# Idempotent: a file that is already there with the right hash is kept.
# Source: the installed open_clip package's copy when it is the same file,
# else the pinned open_clip_torch wheel from PyPI (pip download, no deps).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=3.3.0
sha256=924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a
name=bpe_simple_vocab_16e6.txt.gz
dest=$root/third_party/clip/$name

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$dest" ]; then
  if [ "$(hash_of "$dest")" = "$sha256" ]; then
    exit 0
  fi
  echo "fetch_bpe_vocab: $dest has SHA-256 $(hash_of "$dest"), not $sha256: fetching it again" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The installed open_clip's copy (found without importing torch).
installed=$(python3 -c 'import importlib.util, os
spec = importlib.util.find_spec("open_clip")
print(os.path.join(spec.submodule_search_locations[0], "'"$name"'") if spec else "")' 2>/dev/null || true)
if [ -n "$installed" ] && [ -f "$installed" ] && [ "$(hash_of "$installed")" = "$sha256" ]; then
  cp "$installed" "$tmp/$name"
  from=$installed
else
  echo "fetch_bpe_vocab: downloading open_clip_torch==$version (pip download, no dependencies)"
  if ! python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      "open_clip_torch==$version" -d "$tmp/wheel" >&2; then
    echo "fetch_bpe_vocab: pip download open_clip_torch==$version failed; put $name" \
         "(SHA-256 $sha256) at $dest by hand" >&2
    exit 1
  fi
  python3 - "$tmp/wheel" "$tmp/$name" "$name" <<'PY'
import glob, sys, zipfile
wheel_dir, out, name = sys.argv[1:]
wheels = glob.glob(f"{wheel_dir}/open_clip_torch-*.whl")
if len(wheels) != 1:
    sys.exit(f"fetch_bpe_vocab: expected one open_clip_torch wheel in {wheel_dir}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as z:
    member = f"open_clip/{name}"
    if member not in z.namelist():
        sys.exit(f"fetch_bpe_vocab: {wheels[0]} has no {member}")
    with open(out, "wb") as f:
        f.write(z.read(member))
PY
  from="open_clip_torch==$version from PyPI"
fi

got=$(hash_of "$tmp/$name")
if [ "$got" != "$sha256" ]; then
  echo "fetch_bpe_vocab: $name from $from has SHA-256 $got, expected $sha256; not installed" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
mv "$tmp/$name" "$dest"
echo "fetch_bpe_vocab: $dest (from $from)"
