// The names of the stack's Terraform outputs, which the README's commands read with `terraform output`
// and `longhaul outputs` answers the same way for `longhaul serve`.
export const OUTPUT_NAMES = {
  /** The stack's region: the README's `aws` commands pass it (`--region`), whatever the shell's default. */
  region: 'region',
  dataBucket: 'data_bucket',
  artifactsBucket: 'artifacts_bucket',
  progressTable: 'progress_table',
  dashboardUrl: 'dashboard_url',
  alarmTopicArn: 'alarm_topic_arn',
  functionNames: 'function_names',
} as const;

/** `video` → `video_state_machine_arn`. */
export function stateMachineOutputName(pipeline: string): string {
  return `${pipeline.replace(/-/g, '_')}_state_machine_arn`;
}
