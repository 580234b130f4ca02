import os

# numpy asks the kernel for huge pages on each large array; where transparent huge pages are
# "madvise" with synchronous defragmentation (Debian's and Ubuntu's default), a fault in a fresh
# array can wait for the kernel to compact memory: a dashboard over millions of rows allocates
# hundreds of such arrays, and took 15-20 % longer with it (bench/README.md, fifth pass). Set
# before numpy is imported (this package is imported first by manage.py, wsgi and gunicorn);
# the environment still decides when it says otherwise.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
