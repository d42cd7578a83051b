// Strict binding of a resolved config tree to typed records by reflection: snake_case keys map to PascalCase
// constructor parameters and init properties; nested records, enums (case-insensitive), lists, dictionaries
// and nullables are supported; a record's defaults apply to absent keys. Every unknown key, wrong type and
// missing value is reported at once, each with file:line:column. Numbers must be finite and inside the
// member's [ConfigRange], so `lr: .nan` or `steps: -5` fails at plan time where it is written. A record
// whose first constructor parameter is a required string also binds from that string alone.
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sld.Bench.Shared.Config;

public static class ConfigBinder
{
    public static T Bind<T>(ConfigNode node) => (T)Bind(typeof(T), node)!;

    public static object? Bind(Type type, ConfigNode node)
    {
        var errors = new List<ConfigError>();
        var result = new Binder(errors).Value(type, node, "", nullable: false);
        if (errors.Count > 0)
            throw new ConfigException(errors.OrderBy(e => e.Location.File, StringComparer.Ordinal)
                .ThenBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToList());
        return result;
    }

    /// <summary>The YAML spelling of a C# member or enum name: LearningRate -> learning_rate, KlForm -> kl_form.</summary>
    public static string SnakeCase(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                var prevLowerOrDigit = i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1]));
                var acronymEnd = i > 0 && char.IsUpper(pascal[i - 1]) && i + 1 < pascal.Length && char.IsLower(pascal[i + 1]);
                if (prevLowerOrDigit || acronymEnd) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private sealed class Binder(List<ConfigError> errors)
    {
        private static readonly NullabilityInfoContext Nullability = new();
        private static readonly object Failed = new();

        public object? Value(Type type, ConfigNode node, string path, bool nullable)
        {
            var underlying = Nullable.GetUnderlyingType(type);
            if (node is ConfigScalar { Kind: ScalarKind.Missing })
                return Fail(node, path, "required value (???) was not given");
            if (node is ConfigScalar { Kind: ScalarKind.Null })
                return nullable || underlying != null ? null : Fail(node, path, $"must not be null (expected {TypeName(type)})");
            type = underlying ?? type;

            if (type == typeof(ConfigNode)) return node;
            if (type == typeof(string)) return Scalar(node, path, "a string", s => s.Kind != ScalarKind.Null, s => s.Text);
            if (type == typeof(bool)) return Scalar(node, path, "true or false", s => s.Kind == ScalarKind.Bool, s => s.BoolValue);
            if (type == typeof(int)) return Integer(node, path, int.MinValue, int.MaxValue, v => (int)v);
            if (type == typeof(long)) return Integer(node, path, long.MinValue, long.MaxValue, v => v);
            if (type == typeof(double) || type == typeof(float))
            {
                if (node is ConfigScalar { IsNumber: true } n && !(type == typeof(double) ? double.IsFinite(n.NumberValue) : float.IsFinite((float)n.NumberValue)))
                    return Fail(node, path, $"must be a finite number, got {n.Text}");
                return type == typeof(double)
                    ? Scalar(node, path, "a number", s => s.IsNumber, s => s.NumberValue)
                    : Scalar(node, path, "a number", s => s.IsNumber, s => (float)s.NumberValue);
            }
            if (type == typeof(decimal))
                return Scalar(node, path, "a number", s => s.IsNumber, s => decimal.Parse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
            if (type.IsEnum) return Enum(type, node, path);
            if (type.IsArray) return List(type.GetElementType()!, node, path) is IList list && list != Failed ? ToArray(type.GetElementType()!, list) : Failed;
            if (type.IsGenericType)
            {
                var def = type.GetGenericTypeDefinition();
                var args = type.GetGenericArguments();
                if (def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>)
                    || def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>))
                    return List(args[0], node, path);
                if (def == typeof(Dictionary<,>) || def == typeof(IReadOnlyDictionary<,>) || def == typeof(IDictionary<,>))
                {
                    if (args[0] != typeof(string)) throw new NotSupportedException($"config dictionaries need string keys ({TypeName(type)} at '{path}')");
                    return Dictionary(args[1], node, path);
                }
            }
            if (type.IsClass || (type.IsValueType && !type.IsPrimitive)) return Record(type, node, path);
            throw new NotSupportedException($"the config binder does not support {TypeName(type)} (at '{path}')");
        }

        private object? Record(Type type, ConfigNode node, string path)
        {
            var members = Members.Of(type);
            // A record whose first constructor parameter is a required string may be written as that string
            // alone (`train: data/train.jsonl` for `train: {path: data/train.jsonl}`); the rest take their defaults.
            if (node is ConfigScalar { Kind: ScalarKind.String } shorthand && members.Constructor.GetParameters() is [var first, .. var rest]
                && first.ParameterType == typeof(string) && !first.HasDefaultValue && rest.All(p => p.HasDefaultValue))
                return members.Constructor.Invoke([shorthand.Text, .. rest.Select(p => p.DefaultValue)]);
            if (node is not ConfigMap map) return Fail(node, path, $"expected a mapping of {TypeName(type)}'s keys, got {node.Describe()}");
            var bound = new Dictionary<string, object?>(StringComparer.Ordinal);
            var given = new HashSet<string>(StringComparer.Ordinal);
            var ok = true;
            foreach (var entry in map.Entries)
            {
                given.Add(entry.Key);
                var childPath = Join(path, entry.Key);
                if (!members.ByKey.TryGetValue(entry.Key, out var member))
                {
                    var message = $"unknown key '{childPath}'; valid keys{(path.Length == 0 ? "" : $" in '{path}'")}: {NameSuggestions.List(members.ByKey.Keys)}";
                    if (NameSuggestions.Nearest(entry.Key, members.ByKey.Keys) is { } near) message += $"; did you mean '{near}'?";
                    errors.Add(new ConfigError(entry.KeyLocation, message));
                    ok = false;
                    continue;
                }
                var value = Value(member.Type, entry.Value, childPath, member.Nullable);
                if (value != Failed && member.Range is { } range && AsNumber(value) is { } number && !range.Contains(number))
                    value = Fail(entry.Value, childPath, $"must be {range.Describe()}, got {(entry.Value as ConfigScalar)?.Text ?? number.ToString(CultureInfo.InvariantCulture)}");
                if (value == Failed) ok = false;
                else bound[entry.Key] = value;
            }
            foreach (var member in members.ByKey.Values)
            {
                if (given.Contains(member.Key) || !member.Required) continue;
                errors.Add(new ConfigError(map.Location, $"missing required key '{Join(path, member.Key)}' ({TypeName(member.Type)})"));
                ok = false;
            }
            if (!ok) return Failed;

            var ctorArgs = members.Constructor.GetParameters().Select(p =>
            {
                var key = ConfigBinder.SnakeCase(p.Name!);
                if (bound.TryGetValue(key, out var v)) return v;
                return p.HasDefaultValue ? p.DefaultValue : null;
            }).ToArray();
            var instance = members.Constructor.Invoke(ctorArgs);
            foreach (var member in members.ByKey.Values)
                if (member.Property is { } property && bound.TryGetValue(member.Key, out var v)) property.SetValue(instance, v);
            return instance;
        }

        private object? List(Type element, ConfigNode node, string path)
        {
            if (node is not ConfigList list) return Fail(node, path, $"expected a list of {TypeName(element)}, got {node.Describe()}");
            var result = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            var ok = true;
            for (var i = 0; i < list.Items.Count; i++)
            {
                var v = Value(element, list.Items[i], $"{path}[{i}]", nullable: false);
                if (v == Failed) ok = false;
                else result.Add(v);
            }
            return ok ? result : Failed;
        }

        private static Array ToArray(Type element, IList list)
        {
            var array = Array.CreateInstance(element, list.Count);
            list.CopyTo(array, 0);
            return array;
        }

        private object? Dictionary(Type valueType, ConfigNode node, string path)
        {
            if (node is not ConfigMap map) return Fail(node, path, $"expected a mapping of {TypeName(valueType)}, got {node.Describe()}");
            var result = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            var ok = true;
            foreach (var e in map.Entries)
            {
                var v = Value(valueType, e.Value, Join(path, e.Key), nullable: false);
                if (v == Failed) ok = false;
                else result[e.Key] = v;
            }
            return ok ? result : Failed;
        }

        private object? Enum(Type type, ConfigNode node, string path)
        {
            var names = System.Enum.GetNames(type);
            var valid = NameSuggestions.List(names.Select(ConfigBinder.SnakeCase));
            if (node is not ConfigScalar { Kind: ScalarKind.String } s) return Fail(node, path, $"expected one of {valid}, got {node.Describe()}");
            static string Norm(string x) => x.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
            var match = names.FirstOrDefault(n => Norm(n) == Norm(s.Text));
            if (match != null) return System.Enum.Parse(type, match);
            var message = $"'{s.Text}' is not one of {valid}";
            if (NameSuggestions.Nearest(s.Text, names.Select(ConfigBinder.SnakeCase)) is { } near) message += $"; did you mean '{near}'?";
            return Fail(node, path, message);
        }

        private object? Integer(ConfigNode node, string path, long min, long max, Func<long, object> convert)
        {
            if (node is not ConfigScalar { Kind: ScalarKind.Int } s) return Fail(node, path, $"expected an integer, got {node.Describe()}");
            return s.IntValue < min || s.IntValue > max ? Fail(node, path, $"{s.IntValue} is out of range [{min}, {max}]") : convert(s.IntValue);
        }

        private object? Scalar(ConfigNode node, string path, string expected, Func<ConfigScalar, bool> accepts, Func<ConfigScalar, object> convert) =>
            node is ConfigScalar s && accepts(s) ? convert(s) : Fail(node, path, $"expected {expected}, got {node.Describe()}");

        private object Fail(ConfigNode node, string path, string message)
        {
            errors.Add(new ConfigError(node.Location, path.Length == 0 ? message : $"'{path}': {message}"));
            return Failed;
        }

        private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

        private static double? AsNumber(object? value) => value switch
        {
            int i => i,
            long l => l,
            double d => d,
            float f => f,
            decimal m => (double)m,
            _ => null,
        };

        private sealed record Member(string Key, Type Type, bool Nullable, bool Required, PropertyInfo? Property, ConfigRangeAttribute? Range);

        private sealed record Members(ConstructorInfo Constructor, IReadOnlyDictionary<string, Member> ByKey)
        {
            private static readonly Dictionary<Type, Members> Cache = [];

            public static Members Of(Type type)
            {
                lock (Cache)
                {
                    if (Cache.TryGetValue(type, out var cached)) return cached;
                    var ctor = type.GetConstructors()
                        .Where(c => !(c.GetParameters() is [var only] && only.ParameterType == type)) // a record's copy constructor
                        .OrderByDescending(c => c.GetParameters().Length)
                        .FirstOrDefault()
                        ?? throw new NotSupportedException($"{TypeName(type)} has no public constructor to bind a config to");
                    var byKey = new Dictionary<string, Member>(StringComparer.Ordinal);
                    foreach (var p in ctor.GetParameters())
                    {
                        var nullable = Nullable.GetUnderlyingType(p.ParameterType) != null || Nullability.Create(p).WriteState == NullabilityState.Nullable;
                        byKey[SnakeCase(p.Name!)] = new Member(SnakeCase(p.Name!), p.ParameterType, nullable, !p.HasDefaultValue && !nullable, null,
                            p.GetCustomAttribute<ConfigRangeAttribute>());
                    }
                    foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    {
                        var key = SnakeCase(prop.Name);
                        if (byKey.ContainsKey(key) || prop.SetMethod is not { IsPublic: true } || prop.GetIndexParameters().Length > 0) continue;
                        var nullable = Nullable.GetUnderlyingType(prop.PropertyType) != null || Nullability.Create(prop).WriteState == NullabilityState.Nullable;
                        var required = prop.GetCustomAttribute<RequiredMemberAttribute>() != null;
                        byKey[key] = new Member(key, prop.PropertyType, nullable, required, prop, prop.GetCustomAttribute<ConfigRangeAttribute>());
                    }
                    return Cache[type] = new Members(ctor, byKey);
                }
            }
        }

        private static string TypeName(Type t) => t.IsGenericType
            ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>"
            : t.Name;
    }
}
