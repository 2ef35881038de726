// The machine the crash tests kill mid-run: a Distributed Map over `$.ids`, two items at a time, each item
// `{ id }` handed to one Task state.
export function itemsMap(task: Record<string, unknown>): object {
  return {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemsPath: '$.ids',
        MaxConcurrency: 2,
        ItemSelector: { 'id.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Task', ...task, End: true } },
        },
        End: true,
      },
    },
  };
}
