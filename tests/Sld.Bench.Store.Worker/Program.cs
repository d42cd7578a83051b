// A worker process for the multi-process storage tests: prints "ready" once the store is open, waits for
// GO_FILE to exist (so all workers start together), then claims runs of one sweep until none is pending,
// records metrics and a heartbeat for each, marks it done, and prints "claimed RUN_ID" per run.
// Usage: Sld.Bench.Store.Worker LOCATION SWEEP_NAME WORK_MS GO_FILE
using Sld.Bench.Shared.Storage;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Sld.Bench.Store.Worker LOCATION SWEEP_NAME WORK_MS GO_FILE");
    return 2;
}
await using var store = await ResultsStore.OpenAsync(args[0]);
var sweep = await store.GetSweepAsync(args[1]);
if (sweep == null)
{
    Console.Error.WriteLine($"no sweep named {args[1]} in {store.Location}");
    return 3;
}
var workMs = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
await store.GetStatusCountsAsync(sweep.Id); // warm up EF before the start line
Console.WriteLine("ready");
var deadline = DateTime.UtcNow.AddMinutes(1);
while (!File.Exists(args[3]))
{
    if (DateTime.UtcNow > deadline) throw new TimeoutException($"{args[3]} did not appear");
    await Task.Delay(10);
}
while (await store.ClaimNextAsync(sweep.Id) is { } claim)
{
    Console.WriteLine($"claimed {claim.RunId}");
    await store.RecordMetricsAsync(claim.RunId, [.. Enumerable.Range(0, 10).Select(s => new MetricPoint(s, "loss", 1.0 / (s + 1)))]);
    await Task.Delay(workMs);
    if (!await store.HeartbeatAsync(claim)) throw new InvalidOperationException($"lost the claim on run {claim.RunId}");
    if (!await store.MarkDoneAsync(claim)) throw new InvalidOperationException($"could not finish run {claim.RunId}");
}
return 0;
