// Tests log warnings and errors only, unless LOG_LEVEL asks for more: an access line per request would bury Jest's output.
process.env.LOG_LEVEL ??= 'warn';
