import json
ECHO = "arn:aws:lambda:us-east-1:000000000000:function:Echo"
FAIL = "arn:aws:lambda:us-east-1:000000000000:function:Fail"

def dispatch_machine():
    # The ASL specification's JSONata Choice example ("DispatchEvent"), with a state before it setting $value
    # and targets that show the output and $range.
    show = "{% {'range': $range, 'in': $states.input} %}"
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "SetValue",
        "States": {
            "SetValue": {"Type": "Pass", "Assign": {"value": "{% $states.input.value %}"}, "Next": "DispatchEvent"},
            "DispatchEvent": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.type != 'Private' %}", "Next": "Public"},
                    {"Condition": "{% $exists($value) and $type($value)='number' and $value>=20 and $value<30 %}", "Assign": {"range": "twenties"}, "Next": "ValueInTwenties"},
                    {"Condition": "{% $states.input.rating >= $states.input.auditThreshold %}", "Output": {"excess": "{% $states.input.rating - $states.input.auditThreshold %}"}, "Next": "StartAudit"},
                ],
                "Default": "RecordEvent",
                "Assign": {"range": "default"},
            },
            "Public": {"Type": "Succeed", "Output": "public"},
            "ValueInTwenties": {"Type": "Succeed", "Output": show},
            "StartAudit": {"Type": "Succeed", "Output": {"audit": "{% $states.input %}"}},
            "RecordEvent": {"Type": "Succeed", "Output": show},
        },
    }

jsonata = [
    {
        "name": "Input and Output (guide, 'Transforming data with JSONata', Example: Input and Output)",
        "definition": {"Comment": "Input and Output example using JSONata", "QueryLanguage": "JSONata", "StartAt": "Basic Input and Output",
                       "States": {"Basic Input and Output": {"QueryLanguage": "JSONata", "Type": "Succeed", "Output": {"lastName": "{% 'Last=>' & $states.input.customer.lastName %}", "orderValue": "{% $states.input.order.total %}"}}}},
        "input": {"customer": {"firstName": "Martha", "lastName": "Rivera"}, "order": {"items": 7, "total": 27.91}},
        "output": {"lastName": "Last=>Rivera", "orderValue": 27.91},
    },
    {
        "name": "Filtering with JSONata (guide, Example: Filtering with JSONata)",
        "definition": {"Comment": "Filter products using JSONata", "QueryLanguage": "JSONata", "StartAt": "FilterDietProducts",
                       "States": {"FilterDietProducts": {"Type": "Pass", "Output": {"dietProducts": "{% $states.input.products[calories=0] %}"}, "End": True}}},
        "input": {"products": [
            {"calories": 140, "flavour": "Cola", "name": "Product-1"},
            {"calories": 0, "flavour": "Cola", "name": "Product-2"},
            {"calories": 160, "flavour": "Orange", "name": "Product-3"},
            {"calories": 100, "flavour": "Orange", "name": "Product-4"},
            {"calories": 0, "flavour": "Lime", "name": "Product-5"}]},
        "output": {"dietProducts": [{"calories": 0, "flavour": "Cola", "name": "Product-2"}, {"calories": 0, "flavour": "Lime", "name": "Product-5"}]},
    },
    {
        "name": "JSONPath to JSONata conversion: the JSONata Task's Arguments (guide; $customerName is 'María')",
        "definition": {"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Task"},
            "Task": {"QueryLanguage": "JSONata", "Type": "Task", "Resource": ECHO,
                     "Arguments": {"static": "Hello", "title": "{% $states.input.title %}", "name": "{% $customerName %}", "not-evaluated": "$customerName"}, "End": True}}},
        "input": {"title": "Doctor"},
        "output": {"static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"},
    },
    {
        "name": "JSONPath to JSONata conversion: the original JSONPath Task's Parameters give the same (guide)",
        "definition": {"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Task"},
            "Task": {"QueryLanguage": "JSONPath", "Type": "Task", "Resource": ECHO,
                     "Parameters": {"static": "Hello", "title.$": "$.title", "name.$": "$customerName", "not-evaluated": "$customerName"}, "End": True}}},
        "input": {"title": "Doctor"},
        "output": {"static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"},
    },
    {
        "name": "JSONata Evaluation: the Task's Arguments, evaluated at any depth (ASL specification, 'JSONata Evaluation')",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "GetSampleData", "States": {
            "GetSampleData": {"Type": "Pass", "Assign": {"student": {"name": "Scotland", "course": [{"grade": 34}, {"grade": 99}, {"grade": 76}, {"grade": 96}]}, "class": {"teacher": "Bert"}, "two": "the number 2"}, "Next": "A Task"},
            "A Task": {"Type": "Task", "Resource": ECHO, "Arguments": {"student": "{% $student.name %}", "classInfo": {"teacher": "{% $class.teacher %}"}, "values": [1, "{% $two %}", "three"]}, "Output": "{% $states.result %}", "End": True}}},
        "input": {},
        "output": {"student": "Scotland", "classInfo": {"teacher": "Bert"}, "values": [1, "the number 2", "three"]},
    },
    {
        "name": "JSONata Evaluation: the Task's Output (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "GetSampleData", "States": {
            "GetSampleData": {"Type": "Pass", "Assign": {"student": {"name": "Scotland", "course": [{"grade": 34}, {"grade": 99}, {"grade": 76}, {"grade": 96}]}, "class": {"teacher": "Bert"}, "two": "the number 2"}, "Next": "A Task"},
            "A Task": {"Type": "Task", "Resource": ECHO, "Arguments": {"student": "{% $student.name %}"}, "Output": "{% { 'avg': $average($student.course.grade), 'num': $count($student.course) }  %}", "End": True}}},
        "input": {},
        "output": {"avg": 76.25, "num": 4},
    },
    {
        "name": "Choice: the second rule matches, range is assigned 'twenties', the input passes through (ASL specification)",
        "definition": dispatch_machine(),
        "input": {"type": "Private", "value": 23, "rating": 1, "auditThreshold": 5},
        "output": {"range": "twenties", "in": {"type": "Private", "value": 23, "rating": 1, "auditThreshold": 5}},
    },
    {
        "name": "Choice: the third rule matches, its Output gives excess, no variable is assigned (ASL specification)",
        "definition": dispatch_machine(),
        "input": {"type": "Private", "value": 50, "rating": 10, "auditThreshold": 4},
        "output": {"audit": {"excess": 6}},
    },
    {
        "name": "Choice: no rule matches, the state's Assign sets range 'default' on the way to Default (ASL specification)",
        "definition": dispatch_machine(),
        "input": {"type": "Private", "value": 50, "rating": 1, "auditThreshold": 4},
        "output": {"range": "default", "in": {"type": "Private", "value": 50, "rating": 1, "auditThreshold": 4}},
    },
    {
        "name": "Choice: the first rule, a Condition on $states.input (ASL specification)",
        "definition": dispatch_machine(),
        "input": {"type": "Public", "value": 23, "rating": 1, "auditThreshold": 5},
        "output": "public",
    },
    {
        "name": "JSONata Catchers: the first catcher's Output merges the input with the error output (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": FAIL, "Catch": [
                {"ErrorEquals": ["java.lang.Exception"], "Output": "{% $merge([ $states.input, {'error-info': $states.errorOutput} ]) %}", "Next": "RecoveryState"},
                {"ErrorEquals": ["States.ALL"], "Assign": {"isCritical": "{% $contains($lowercase($states.errorOutput.Error), /.*fatal.*/)  %}"}, "Next": "EndMachine"}], "End": True},
            "RecoveryState": {"Type": "Succeed"},
            "EndMachine": {"Type": "Succeed", "Output": {"isCritical": "{% $isCritical %}", "input": "{% $states.input %}"}}}},
        "input": {"errorType": "java.lang.Exception", "message": "boom"},
        "output": {"errorType": "java.lang.Exception", "message": "boom", "error-info": {"Error": "java.lang.Exception", "Cause": "{\"errorType\":\"java.lang.Exception\",\"errorMessage\":\"boom\"}"}},
    },
    {
        "name": "JSONata Catchers: any other error assigns isCritical; the next state's input is the error output (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": FAIL, "Catch": [
                {"ErrorEquals": ["java.lang.Exception"], "Output": "{% $merge([ $states.input, {'error-info': $states.errorOutput} ]) %}", "Next": "RecoveryState"},
                {"ErrorEquals": ["States.ALL"], "Assign": {"isCritical": "{% $contains($lowercase($states.errorOutput.Error), /.*fatal.*/)  %}"}, "Next": "EndMachine"}], "End": True},
            "RecoveryState": {"Type": "Succeed"},
            "EndMachine": {"Type": "Succeed", "Output": {"isCritical": "{% $isCritical %}", "input": "{% $states.input %}"}}}},
        "input": {"errorType": "FatalError", "message": "disk on fire"},
        "output": {"isCritical": True, "input": {"Error": "FatalError", "Cause": "{\"errorType\":\"FatalError\",\"errorMessage\":\"disk on fire\"}"}},
    },
    {
        "name": "JSONata Pass: ProvideTestData assigns coords, moreData when the input has it (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "ProvideTestData", "States": {
            "ProvideTestData": {"Type": "Pass", "Assign": {"coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355, "additional": "{% $exists($states.input.moreData) ? $states.input.moreData : {} %}"}}, "Next": "End"},
            "End": {"Type": "Pass", "Output": "{% $coords %}", "End": True}}},
        "input": {"moreData": {"a": 1}},
        "output": {"x-datum": 0.381018, "y-datum": 622.2269926397355, "additional": {"a": 1}},
    },
    {
        "name": "JSONata Pass: without moreData, additional is {} (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "ProvideTestData", "States": {
            "ProvideTestData": {"Type": "Pass", "Assign": {"coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355, "additional": "{% $exists($states.input.moreData) ? $states.input.moreData : {} %}"}}, "Next": "End"},
            "End": {"Type": "Pass", "Output": "{% $coords %}", "End": True}}},
        "input": {},
        "output": {"x-datum": 0.381018, "y-datum": 622.2269926397355, "additional": {}},
    },
    {
        "name": "JSONata Map Validate-All: Items from the input, Output counts them, Assign keeps the result (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Validate-All", "States": {
            "Validate-All": {"Type": "Map", "Items": "{% $states.input.detail.shipped %}", "MaxConcurrency": 0,
                             "ItemProcessor": {"StartAt": "Validate", "States": {"Validate": {"Type": "Task", "Resource": ECHO, "End": True}}},
                             "Assign": {"shipped": "{% $states.result %}"}, "Output": {"numItemsProcessed": "{% $count($states.input.detail.shipped) %}"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Output": {"count": "{% $states.input.numItemsProcessed %}", "shipped": "{% $shipped %}"}, "End": True}}},
        "input": {"ship-date": "2016-03-14T01:59:00Z", "detail": {"delivery-partner": "UQS", "shipped": [
            {"prod": "R31", "dest-code": 9511, "quantity": 1344}, {"prod": "S39", "dest-code": 9511, "quantity": 40}, {"prod": "R31", "dest-code": 9833, "quantity": 12},
            {"prod": "R40", "dest-code": 9860, "quantity": 887}, {"prod": "R40", "dest-code": 9511, "quantity": 1220}]}},
        "output": {"count": 5, "shipped": [
            {"prod": "R31", "dest-code": 9511, "quantity": 1344}, {"prod": "S39", "dest-code": 9511, "quantity": 40}, {"prod": "R31", "dest-code": 9833, "quantity": 12},
            {"prod": "R40", "dest-code": 9860, "quantity": 887}, {"prod": "R40", "dest-code": 9511, "quantity": 1220}]},
    },
    {
        "name": "JSONata Map ItemSelector: each iteration's input from $states.context.Map.Item.Value (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Validate-All", "States": {
            "Validate-All": {"Type": "Map", "Items": "{% $states.input.detail.shipped %}", "MaxConcurrency": 0,
                             "ItemSelector": {"parcel": "{% $states.context.Map.Item.Value %}", "courier": "{% $states.input.detail.`delivery-partner` %}"},
                             "ItemProcessor": {"StartAt": "Validate", "States": {"Validate": {"Type": "Task", "Resource": ECHO, "End": True}}},
                             "Output": "{% $states.result[0] %}", "End": True}}},
        "input": {"detail": {"delivery-partner": "UQS", "shipped": [{"prod": "R31", "dest-code": 9511, "quantity": 1344}, {"prod": "S39", "dest-code": 9511, "quantity": 40}]}},
        "output": {"parcel": {"prod": "R31", "dest-code": 9511, "quantity": 1344}, "courier": "UQS"},
    },
    {
        "name": "JSONata Fail: Error and Cause from the input (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "FailState", "States": {
            "FailState": {"Type": "Fail", "Comment": "my error comment", "Error": "{% $states.input.Error %}", "Cause": "{% $states.input.Cause %}"}}},
        "input": {"Error": "ErrorA", "Cause": "Kaiju attack"},
        "error": "ErrorA", "cause": "Kaiju attack",
    },
    {
        "name": "JSONata Wait: Timestamp from the input (ASL specification; a past time does not wait)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "wait_until", "States": {
            "wait_until": {"Type": "Wait", "Timestamp": "{% $states.input.expirydate %}", "Next": "Done"},
            "Done": {"Type": "Succeed"}}},
        "input": {"expirydate": "2016-03-14T01:59:00Z"},
        "output": {"expirydate": "2016-03-14T01:59:00Z"},
    },
    {
        "name": "an expression that returns nothing is States.QueryEvaluationError naming the field (guide, 'Handling expression errors')",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"v": "{% $states.input.thisFieldDoesNotExist %}"}, "End": True}}},
        "input": {},
        "error": "States.QueryEvaluationError",
        "cause": "An error occurred while executing the state 'A' (entered at the event id #2). The JSONata expression '$states.input.thisFieldDoesNotExist' specified for the field 'Output/v' returned nothing (undefined).",
        "events": ["PassStateEntered", "EvaluationFailed", "ExecutionFailed"],
    },
    {
        "name": "a type error is States.QueryEvaluationError (guide: {% $x + $y %} when $y is not a number)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1, "y": "two"}, "Next": "Add"},
            "Add": {"Type": "Pass", "Output": "{% $x + $y %}", "End": True}}},
        "input": {},
        "error": "States.QueryEvaluationError",
        "cause": "The JSONata expression '$x + $y' specified for the field 'Output' threw an error during evaluation. T2002",
    },
    {
        "name": "a value of the wrong type for the field: TimeoutSeconds from a string is States.QueryEvaluationError (guide)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ECHO, "TimeoutSeconds": "{% $states.input.timeout %}", "End": True}}},
        "input": {"timeout": "ten"},
        "error": "States.QueryEvaluationError",
        "cause": "specified for the field 'TimeoutSeconds' returned an unexpected result type: expected a positive integer",
    },
    {
        "name": "a value out of range: a negative ToleratedFailurePercentage is States.QueryEvaluationError (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailurePercentage": "{% $states.input.negative %}",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}},
        "input": {"negative": -1},
        "error": "States.QueryEvaluationError",
        "cause": "specified for the field 'ToleratedFailurePercentage' returned an unexpected result type: expected a number from 0 to 100",
    },
    {
        "name": "States.QueryEvaluationError is caught by a Catch (guide: Task, Map and Parallel states can catch it)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": ECHO, "Output": "{% $states.result.missing %}", "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Output": "{% $states.errorOutput.Error %}", "Next": "Caught"}], "End": True},
            "Caught": {"Type": "Succeed"}}},
        "input": {"a": 1},
        "output": "States.QueryEvaluationError",
    },
    {
        "name": "$partition, the JSONata equivalent of States.ArrayPartition (guide; the intrinsic's documented example)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $partition($states.input.inputArray, 4) %}", "End": True}}},
        "input": {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
        "output": [[1, 2, 3, 4], [5, 6, 7, 8], [9]],
    },
    {
        "name": "$range, the JSONata equivalent of States.ArrayRange (guide; the intrinsic's documented example)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $range(1, 9, 2) %}", "End": True}}},
        "input": {},
        "output": [1, 3, 5, 7, 9],
    },
    {
        "name": "$hash, the JSONata equivalent of States.Hash (guide; the intrinsic's documented example)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $hash($states.input.Data, $states.input.Algorithm) %}", "End": True}}},
        "input": {"Data": "input data", "Algorithm": "SHA-1"},
        "output": "aaff4a450a104cd177d28d18d74485e8cae074b7",
    },
    {
        "name": "$parse deserializes a JSON string (guide), where $eval is not available",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"deserializedPayload": "{% $parse($states.input.json_string) %}"}, "Output": "{% $parse($states.input.json_string) %}", "End": True}}},
        "input": {"json_string": "{\"number\": 20, \"list\": [1, 2]}"},
        "output": {"number": 20, "list": [1, 2]},
    },
    {
        "name": "$eval is not available in Step Functions (guide): calling it fails the state",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $eval('1 + 1') %}", "End": True}}},
        "input": {},
        "error": "States.QueryEvaluationError",
        "cause": "T1006",
    },
]

variables = [
    {
        "name": "FirstState assigns make, model and year; SecondState outputs them (ASL specification, 'Assigning State Machine Variables')",
        "definition": {"StartAt": "FirstState", "States": {
            "FirstState": {"Type": "Pass", "Assign": {"make": "Infiniti", "model": "G35", "year": 2006}, "Next": "SecondState"},
            "SecondState": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $year & ' ' & $make & ' ' & $model %}", "End": True}}},
        "input": {},
        "output": "2006 Infiniti G35",
    },
    {
        "name": "Assign sees the values of state entry: x=5 becomes 42, newOrOld gets 5 (ASL specification)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 5}, "Next": "Assigning"},
            "Assigning": {"Type": "Pass", "Assign": {"x": 42, "newOrOld": "{% $x %}"}, "Next": "Referencing"},
            "Referencing": {"Type": "Pass", "Output": {"x": "{% $x %}", "newOrOld": "{% $newOrOld %}"}, "End": True}}},
        "input": {},
        "output": {"x": 42, "newOrOld": 5},
    },
    {
        "name": "Evaluation order in an Assign field: $x=3, $a=6 end as $x=6, $nextX=3 (guide)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Start", "States": {
            "Start": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Output": {"x": "{% $x %}", "nextX": "{% $nextX %}"}, "End": True}}},
        "input": {},
        "output": {"x": 6, "nextX": 3},
    },
    {
        "name": "Evaluation order: had $x not been assigned, the Assign would fail, $x being undefined (guide)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Start", "States": {
            "Start": {"Type": "Pass", "Assign": {"a": 6}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"}, "End": True}}},
        "input": {},
        "error": "States.QueryEvaluationError",
        "cause": "The JSONata expression '$x' specified for the field 'Assign/nextX' returned nothing (undefined).",
    },
    {
        "name": "Variable scope: Begin reads outer; End outputs hello; Goodbye outputs 2 (ASL specification, 'Variable Scope')",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Get Greeting", "States": {
            "Get Greeting": {"Type": "Pass", "Assign": {"outer": "hello"}, "Next": "Greet Everyone"},
            "Greet Everyone": {"Type": "Map", "ItemProcessor": {"StartAt": "Begin", "States": {
                "Begin": {"Type": "Pass", "Assign": {"inner": "world", "hi": "{% $outer %}"}, "Next": "End"},
                "End": {"Type": "Succeed", "Output": "{% $hi %}"}}},
                "Assign": {"outer": 2}, "Output": {"greetings": "{% $states.result %}"}, "Next": "Goodbye"},
            "Goodbye": {"Type": "Succeed", "Output": {"outer": "{% $outer %}", "greetings": "{% $states.input.greetings %}"}}}},
        "input": ["a", "b"],
        "output": {"outer": 2, "greetings": ["hello", "hello"]},
    },
    {
        "name": "Variables in JSONPath states: Assign with a constant object, .$ paths into the result, an intrinsic reading a variable and $$ (guide)",
        "definition": {"StartAt": "Customer", "States": {
            "Customer": {"Type": "Pass", "Assign": {"customer": {"name": "Jane"}}, "Next": "Task"},
            "Task": {"Type": "Task", "Resource": ECHO, "Parameters": {"order": {"items": ["a", "b"]}, "result": {"code": 200}},
                     "Assign": {"details": {"status": "SUCCESS", "lineItems.$": "$.order.items"}, "resultCode.$": "$.result.code", "message.$": "States.Format('Hello {}', $customer.name)", "startTime.$": "$$.Execution.StartTime"},
                     "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"details.$": "$details", "resultCode.$": "$resultCode", "message.$": "$message", "hasStart.$": "States.ArrayContains(States.Array($startTime), $$.Execution.StartTime)"}, "End": True}}},
        "input": {},
        "output": {"details": {"status": "SUCCESS", "lineItems": ["a", "b"]}, "resultCode": 200, "message": "Hello Jane", "hasStart": True},
    },
    {
        "name": "JSONPath Assign: products.$ and orderTotal.$ from the result (guide)",
        "definition": {"StartAt": "Task", "States": {
            "Task": {"Type": "Task", "Resource": ECHO, "Assign": {"products.$": "$.order..product", "orderTotal.$": "$.order.total"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"products.$": "$products", "orderTotal.$": "$orderTotal"}, "End": True}}},
        "input": {"order": {"total": 30, "lines": [{"product": "p1"}, {"product": "p2"}]}},
        "output": {"products": ["p1", "p2"], "orderTotal": 30},
    },
    {
        "name": "JSONPath Assign: $ is the effective input in a Choice and a Wait, the result in a Pass (guide)",
        "definition": {"StartAt": "Pass", "States": {
            "Pass": {"Type": "Pass", "InputPath": "$.a", "Result": {"r": 1}, "ResultPath": "$.res", "Assign": {"fromPass.$": "$"}, "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 0, "InputPath": "$.res", "Assign": {"fromWait.$": "$"}, "Next": "Choice"},
            "Choice": {"Type": "Choice", "InputPath": "$.r", "Choices": [{"Variable": "$", "NumericEquals": 1, "Assign": {"fromRule.$": "$"}, "Next": "Show"}], "Default": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"fromPass.$": "$fromPass", "fromWait.$": "$fromWait", "fromRule.$": "$fromRule"}, "End": True}}},
        "input": {"a": {"x": 1}},
        "output": {"fromPass": {"r": 1}, "fromWait": {"r": 1}, "fromRule": 1},
    },
    {
        "name": "JSONPath: a variable in InputPath, a Choice Variable and ItemsPath (guide: any field taking a path but ResultPath)",
        "definition": {"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"limits": {"max": 2}, "list": [1, 2, 3]}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$limits.max", "NumericGreaterThan": 1, "Next": "Each"}], "Default": "Each"},
            "Each": {"Type": "Map", "InputPath": "$limits", "ItemsPath": "$list", "ItemProcessor": {"StartAt": "Id", "States": {"Id": {"Type": "Pass", "End": True}}}, "End": True}}},
        "input": {},
        "output": [1, 2, 3],
    },
    {
        "name": "A JSONPath catcher's Assign: $ is the error output (ASL specification, JSONPath Catchers)",
        "definition": {"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": FAIL, "Catch": [
                {"ErrorEquals": ["java.lang.Exception"], "ResultPath": "$.error-info", "Next": "RecoveryState"},
                {"ErrorEquals": ["States.ALL"], "Assign": {"hasError": True, "caughtError.$": "$.Error"}, "Next": "EndMachine"}], "End": True},
            "RecoveryState": {"Type": "Succeed"},
            "EndMachine": {"Type": "Pass", "Parameters": {"hasError.$": "$hasError", "caughtError.$": "$caughtError", "input.$": "$"}, "End": True}}},
        "input": {"errorType": "Other", "message": "m"},
        "output": {"hasError": True, "caughtError": "Other", "input": {"Error": "Other", "Cause": "{\"errorType\":\"Other\",\"errorMessage\":\"m\"}"}},
    },
    {
        "name": "A Map's catcher assigns in the scope around the Map (guide, 'Variable scope')",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Each", "States": {
            "Each": {"Type": "Map", "Items": [1], "ItemProcessor": {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "inner"}}},
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failure": "{% $states.errorOutput.Error %}"}, "Next": "After"}], "End": True},
            "After": {"Type": "Pass", "Output": "{% $failure %}", "End": True}}},
        "input": {},
        "output": "Boom",
    },
    {
        "name": "Parallel branches read outer variables, keep their own, and hand data out only through their output (guide)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"base": 10}, "Next": "Both"},
            "Both": {"Type": "Parallel", "Branches": [
                {"StartAt": "A1", "States": {"A1": {"Type": "Pass", "Assign": {"mine": "{% $base + 1 %}"}, "Next": "A2"}, "A2": {"Type": "Pass", "Output": "{% $mine %}", "End": True}}},
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Assign": {"mine": "{% $base + 2 %}"}, "Next": "B2"}, "B2": {"Type": "Pass", "Output": "{% $mine %}", "End": True}}}],
                "Next": "After"},
            "After": {"Type": "Pass", "Output": {"branches": "{% $states.input %}", "mineOutside": "{% $exists($mine) %}"}, "End": True}}},
        "input": {},
        "output": {"branches": [11, 12], "mineOutside": False},
    },
    {
        "name": "A Distributed Map's children do not see the outer scope's variables (guide: not currently)",
        "definition": {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "Each"},
            "Each": {"Type": "Map", "Items": [1, 2], "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Look",
                     "States": {"Look": {"Type": "Pass", "Output": "{% $exists($outer) %}", "End": True}}}, "End": True}}},
        "input": {},
        "output": [False, False],
    },
]

json.dump(jsonata, open('test/fixtures/asl/conformance/jsonata.json', 'w'), indent=2, ensure_ascii=False)
json.dump(variables, open('test/fixtures/asl/conformance/variables.json', 'w'), indent=2, ensure_ascii=False)
