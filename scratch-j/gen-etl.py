import json
src = json.load(open('asl/etl.asl.json'))
S = src['States']
RETRY = S['Plan']['Retry']
inner_retry = S['Scan']['ItemProcessor']['States']['ScanRange']['Retry']
transform_retry = S['Transform']['ItemProcessor']['States']['TransformPartition']['Retry']
reduce_retry = S['Reduce']['ItemProcessor']['States']['ReduceBucket']['Retry']
catch = [{"ErrorEquals": ["States.ALL"], "Assign": {"error": "{% $states.errorOutput %}"}, "Output": "{% $states.input %}", "Next": "RecordFailure"}]
invoke = "arn:aws:states:::lambda:invoke"
distributed = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
job = "{% $states.context.Execution.Input.jobId %}"
out = {
  "Comment": "The ETL pipeline of asl/etl.asl.json written in JSONata, with variables: the plan is kept in $plan instead of the state data, a caught error in $error, a partition's cursor in its child execution's own $cursor. A test fixture: test/local/engine/jsonata-pipeline.test.ts shows it makes the same calls and gives the same outputs as the JSONPath original.",
  "QueryLanguage": "JSONata",
  "StartAt": "Plan",
  "States": {
    "Plan": {
      "Type": "Task", "Resource": invoke,
      "Arguments": {"FunctionName": "${EtlPlanArn}", "Payload": "{% $states.input %}"},
      "Assign": {"plan": "{% $states.result.Payload.{'format': format, 'rangesKey': rangesKey, 'rangeCount': rangeCount, 'partitionsKey': partitionsKey, 'partitionCount': partitionCount, 'maxConcurrency': maxConcurrency, 'buckets': buckets} %}"},
      "Output": "{% $states.input %}",
      "Retry": RETRY, "Catch": catch, "Next": "Format",
    },
    "Format": {
      "Type": "Choice", "Comment": S['Format']['Comment'],
      "Choices": [{"Condition": "{% $plan.format = 'csv' %}", "Next": "Scan"}],
      "Default": "Transform",
    },
    "Scan": {
      "Type": "Map", "Comment": S['Scan']['Comment'],
      "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"}, "Arguments": {"Bucket": "${DataBucket}", "Key": "{% $plan.rangesKey %}"}},
      "ItemSelector": {"jobId": "{% $states.input.jobId %}", "index": "{% $states.context.Map.Item.Value.index %}", "start": "{% $states.context.Map.Item.Value.start %}", "end": "{% $states.context.Map.Item.Value.end %}"},
      "MaxConcurrency": "{% $plan.maxConcurrency %}",
      "ItemProcessor": {"ProcessorConfig": distributed, "StartAt": "ScanRange", "States": {
        "ScanRange": {"Type": "Task", "Resource": invoke, "Arguments": {"FunctionName": "${EtlScanRangeArn}", "Payload": "{% $states.input %}"}, "Output": "{% $states.input %}", "Retry": inner_retry, "End": True}}},
      "Output": "{% $states.input %}",
      "Catch": catch, "Next": "Stitch",
    },
    "Stitch": {
      "Type": "Task", "Resource": invoke,
      "Arguments": {"FunctionName": "${EtlStitchArn}", "Payload": {"jobId": job}},
      "Output": "{% $states.input %}",
      "Retry": RETRY, "Catch": catch, "Next": "Transform",
    },
    "Transform": {
      "Type": "Map", "Comment": S['Transform']['Comment'],
      "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"}, "Arguments": {"Bucket": "${DataBucket}", "Key": "{% $plan.partitionsKey %}"}},
      "ItemSelector": {"jobId": "{% $states.input.jobId %}", "partition": "{% $states.context.Map.Item.Value %}"},
      "MaxConcurrency": "{% $plan.maxConcurrency %}",
      "ItemProcessor": {"ProcessorConfig": distributed, "StartAt": "StartPartition", "States": {
        "StartPartition": {"Type": "Pass", "Comment": "The loop's first turn has no cursor.", "Assign": {"cursor": None}, "Next": "TransformPartition"},
        "TransformPartition": {"Type": "Task", "Comment": S['Transform']['ItemProcessor']['States']['TransformPartition']['Comment'], "Resource": invoke,
          "Arguments": {"FunctionName": "${EtlTransformArn}", "Payload": {"jobId": "{% $states.input.jobId %}", "partition": "{% $states.input.partition %}", "cursor": "{% $cursor %}"}},
          "Assign": {"cursor": "{% $states.result.Payload.cursor %}", "done": "{% $states.result.Payload.done %}"},
          "Output": "{% $states.input %}",
          "Retry": transform_retry, "Next": "PartitionDone"},
        "PartitionDone": {"Type": "Choice", "Choices": [{"Condition": "{% $done %}", "Next": "PartitionFinished"}], "Default": "TransformPartition"},
        "PartitionFinished": {"Type": "Succeed"}}},
      "Output": "{% $states.input %}",
      "Catch": catch, "Next": "Gather",
    },
    "Gather": {
      "Type": "Task", "Resource": invoke, "Comment": S['Gather']['Comment'],
      "Arguments": {"FunctionName": "${EtlGatherArn}", "Payload": {"jobId": job}},
      "Output": "{% $states.input %}",
      "Retry": RETRY, "Catch": catch, "Next": "Reduce",
    },
    "Reduce": {
      "Type": "Map", "Comment": S['Reduce']['Comment'],
      "Items": "{% $plan.buckets %}",
      "ItemSelector": {"jobId": "{% $states.input.jobId %}", "bucket": "{% $states.context.Map.Item.Value %}"},
      "MaxConcurrency": "{% $plan.maxConcurrency %}",
      "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "ReduceBucket", "States": {
        "ReduceBucket": {"Type": "Task", "Resource": invoke, "Arguments": {"FunctionName": "${EtlReduceArn}", "Payload": "{% $states.input %}"}, "Output": "{% $states.input %}", "Retry": reduce_retry, "End": True}}},
      "Output": "{% $states.input %}",
      "Catch": catch, "Next": "Report",
    },
    "Report": {
      "Type": "Task", "Resource": invoke,
      "Arguments": {"FunctionName": "${EtlReportArn}", "Payload": {"jobId": job}},
      "Output": "{% $states.result.Payload.{'jobId': jobId, 'report': report, 'reportKey': reportKey, 'outputs': outputs, 'reused': reused} %}",
      "Retry": RETRY, "Catch": catch, "Next": "Done",
    },
    "Done": {"Type": "Succeed"},
    "RecordFailure": {
      "Type": "Task", "Comment": "Marks the job FAILED with the Error and Cause caught in $error; the original error is raised again by JobFailed even if this fails.",
      "Resource": invoke,
      "Arguments": {"FunctionName": "${RecordFailureArn}", "Payload": "{% $merge([$states.input, $exists($plan) ? {'plan': $plan} : {}, {'error': $error}]) %}"},
      "Output": "{% $states.input %}",
      "Retry": RETRY,
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "JobFailed"}],
      "Next": "JobFailed",
    },
    "JobFailed": {"Type": "Fail", "Error": "{% $error.Error %}", "Cause": "{% $error.Cause %}"},
  },
}
json.dump(out, open('test/fixtures/asl/etl-jsonata.asl.json', 'w'), indent=2)
