// Past this share of its timeout a task is about to hit the wall: the p99 alarm (infra/monitoring.ts), the
// timeline's tick and watch's `!` all mark the same point.
export const TIMEOUT_WARNING_SHARE = 0.8;
