// Must be the first import of the entry point. SQLite connections waiting for the write lock
// sit in libuv's worker threads (busy timeout); with the default 4 threads a few of them
// could leave none for the connection that holds the lock, and everything would wait out
// the busy timeout. The pool is created on first use, so setting the size here is in time.
process.env.UV_THREADPOOL_SIZE ??= '32';
