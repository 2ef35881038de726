// Loaded by mocha before any test file (.mocharc.json "require"): settings for the test process as a whole.

// The AWS SDK's "node 22 from 2027" notice is about this machine's node, not about anything under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Handlers called in this process would print an EMF metrics line on stdout per invocation, into the
// test report. Workers get a clean environment, so functions run by the local runner still emit theirs.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
