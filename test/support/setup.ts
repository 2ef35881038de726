// Loaded by mocha before any test file (.mocharc.json "require"): settings for the test process as a whole.

// The AWS SDK's "node 22 from 2027" notice is about this machine's node, not about anything under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
