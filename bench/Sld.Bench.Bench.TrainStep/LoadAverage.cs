// The machine's load averages (1, 5, 15 minutes) from /proc/loadavg, recorded at the start and the end of a
// run and before each measurement: the machine is shared, and a ratio means little without them.
namespace Sld.Bench.Bench.TrainStep;

public static class LoadAverage
{
    public static string Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]}" : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
