#!/usr/bin/env python3
"""Benchmark for a decision, not for the product (issue 11): what the pdfium reader's three
ctypes calls per character (the character's text object, its origin, its Unicode map error:
pdfium._glyph_chars, _Origins.read, _codes) cost, against the same calls made by a C loop
once per page.

    python bench/compiled_chars.py FOLDER [--files 40] [--rounds 3]

Compiles the loop below with the machine's C compiler (`cc`, or $CC) into a temporary folder,
calls it through ctypes with pdfium's own function addresses, checks that it gives the same
values as the ctypes calls on every page, and prints ms per page for each. The project ships
no compiled code: this measures one piece of what a compiled reader would save.
Build a corpus with bench.build_corpus (see bench/bench.py). Not a test: timings depend on
the machine; run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import repeat
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

C_LOOP = r"""
typedef void *(*text_object_fn)(void *, int);
typedef int (*origin_fn)(void *, int, double *, double *);
typedef int (*map_error_fn)(void *, int);

int read_chars(void *tp, const int *idx, int n, void *f_obj, void *f_origin, void *f_map,
               unsigned long long *objs, double *xs, double *ys, int *errs) {
    for (int k = 0; k < n; k++) {
        objs[k] = (unsigned long long)((text_object_fn)f_obj)(tp, idx[k]);
        ((origin_fn)f_origin)(tp, idx[k], xs + k, ys + k);
        errs[k] = ((map_error_fn)f_map)(tp, idx[k]);
    }
    return n;
}
"""


def build(folder: Path) -> ctypes.CDLL:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        sys.exit("no C compiler (cc or gcc) on PATH: this benchmark needs one")
    src, lib = folder / "chars.c", folder / "libchars.so"
    src.write_text(C_LOOP)
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return ctypes.CDLL(str(lib))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as R
    from extract import pdfium as P

    def addr(f) -> ctypes.c_void_p:
        return ctypes.c_void_p(ctypes.cast(f, ctypes.c_void_p).value)

    fns = (addr(R.FPDFText_GetTextObject), addr(R.FPDFText_GetCharOrigin), addr(R.FPDFText_HasUnicodeMapError))
    with tempfile.TemporaryDirectory() as tmp:
        lib = build(Path(tmp))
        docs = [pdfium.PdfDocument(str(f)) for f in sorted(args.folder.glob("**/*.pdf"))[:args.files]]
        for r in range(args.rounds):
            in_python = in_c = 0.0
            pages, same = 0, True
            for doc in docs:
                for i in range(len(doc)):
                    page = doc[i]
                    tp = page.get_textpage()
                    tpv = addr(tp.raw)
                    codes = P._code_points(tp.raw, R.FPDFText_CountChars(tp.raw))
                    idx = np.flatnonzero(~np.isin(codes, P._SPACE_CODES)).tolist()
                    t0 = time.perf_counter()
                    keys = list(map(P._text_object, repeat(tpv), idx))
                    ox, oy = P._origins().read(tpv, idx)
                    errs = list(map(P._map_error, repeat(tpv), idx))
                    t1 = time.perf_counter()
                    n = len(idx)
                    at = np.array(idx, dtype=np.int32)
                    objs, xs, ys = np.empty(n, dtype=np.uint64), np.empty(n), np.empty(n)
                    es = np.empty(n, dtype=np.int32)
                    lib.read_chars(tpv, at.ctypes.data_as(ctypes.c_void_p), n, *fns,
                                   *(a.ctypes.data_as(ctypes.c_void_p) for a in (objs, xs, ys, es)))
                    c_keys, c_errs = objs.tolist(), es.tolist()
                    t2 = time.perf_counter()
                    in_python += t1 - t0
                    in_c += t2 - t1
                    pages += 1
                    same &= ([k or 0 for k in keys] == c_keys and errs == c_errs
                             and np.array_equal(ox, xs) and np.array_equal(oy, ys))
                    tp.close()
                    page.close()
            print(f"round {r + 1}: {pages} pages: ctypes calls {1000 * in_python / pages:.3f} ms/page, "
                  f"C loop {1000 * in_c / pages:.3f} ms/page, same values: {same}", flush=True)
        for doc in docs:
            doc.close()


if __name__ == "__main__":
    main()
