// The pickle machine that reads a torch.save archive's data.pkl: the binary opcodes of protocols 1 to 5,
// which is everything Python's pickler writes for tensors, dicts and plain values. Python values become .NET
// values (the mapping is documented on TorchCheckpoint). Globals and persistent ids are resolved by the
// caller, as Python's Unpickler.find_class and persistent_load are, so this file knows nothing about torch.
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Sld.Bench.Torch.Serialization;

/// <summary>A Python class or function that a pickle may call through REDUCE or NEWOBJ.</summary>
internal sealed record PythonCallable(string Name, Func<object?[], object?> Invoke);

internal sealed class TorchPickle
{
    private readonly byte[] _data;
    private readonly Func<string, string, object> _findGlobal;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = []; // stack heights at each open MARK
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opStart;

    private TorchPickle(byte[] data, Func<string, string, object> findGlobal, Func<object?, object?> persistentLoad)
    {
        _data = data;
        _findGlobal = findGlobal;
        _persistentLoad = persistentLoad;
    }

    /// <summary>
    /// Runs the pickle to its STOP opcode and returns the object it built. <paramref name="findGlobal"/> gets
    /// (module, name) with Python 2 module names already mapped to Python 3 ones; it returns a
    /// <see cref="PythonCallable"/> or any value that stands for the global, and throws for forbidden globals.
    /// Malformed input throws InvalidDataException naming the opcode offset.
    /// </summary>
    public static object? Load(byte[] data, Func<string, string, object> findGlobal, Func<object?, object?> persistentLoad) =>
        new TorchPickle(data, findGlobal, persistentLoad).Run();

    private object? Run()
    {
        while (true)
        {
            _opStart = _pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw Bad($"pickle protocol {protocol} is newer than the 5 this reader knows");
                    break;
                case 0x95: // FRAME: a read-ahead hint for streaming readers; the whole pickle is in memory already.
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    var result = Pop();
                    if (_stack.Count != 0 || _marks.Count != 0) throw Bad("STOP with values left on the stack");
                    return result;

                // ---- stack manipulation ----
                case (byte)'(': _marks.Add(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP

                // ---- constants and numbers ----
                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT

                // ---- strings and bytes ----
                case (byte)'X': Push(ReadUtf8(ReadLength(4))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadLength(8))); break; // BINUNICODE8
                // Python 2 str; torch.load decodes these as UTF-8, and so do we.
                case (byte)'T': Push(ReadUtf8(ReadLength(4))); break; // BINSTRING
                case (byte)'U': Push(ReadUtf8(ReadByte())); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength(4)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength(8)).ToArray()); break; // BINBYTES8
                case 0x96: Push(ReadBytes(ReadLength(8)).ToArray()); break; // BYTEARRAY8

                // ---- containers ----
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
                case 0x8f: Push(new HashSet<object?>()); break; // EMPTY_SET
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: Push(PopTuple(1)); break; // TUPLE1
                case 0x86: Push(PopTuple(2)); break; // TUPLE2
                case 0x87: Push(PopTuple(3)); break; // TUPLE3
                case 0x91: Push(new HashSet<object?>(PopMark())); break; // FROZENSET
                case (byte)'d': // DICT
                    var dict = new OrderedDictionary<object, object?>();
                    SetItems(dict, PopMark());
                    Push(dict);
                    break;
                case (byte)'a': // APPEND
                    var item = Pop();
                    Top<List<object?>>("APPEND").Add(item);
                    break;
                case (byte)'e': // APPENDS
                    var items = PopMark();
                    Top<List<object?>>("APPENDS").AddRange(items);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    SetItems(Top<OrderedDictionary<object, object?>>("SETITEM"), [key, value]);
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopMark();
                    SetItems(Top<OrderedDictionary<object, object?>>("SETITEMS"), pairs);
                    break;
                case 0x90: // ADDITEMS
                    var members = PopMark();
                    Top<HashSet<object?>>("ADDITEMS").UnionWith(members);
                    break;

                // ---- memo ----
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET

                // ---- globals, calls and persistent ids ----
                case (byte)'c': // GLOBAL
                    var module = ReadLine();
                    Push(FindGlobal(module, ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                    var name = Pop() as string ?? throw Bad("STACK_GLOBAL needs a string name");
                    Push(FindGlobal(Pop() as string ?? throw Bad("STACK_GLOBAL needs a string module"), name));
                    break;
                case (byte)'R': // REDUCE: callable(*args)
                    var args = PopArgs("REDUCE");
                    Push(Call(Pop(), args));
                    break;
                case 0x81: // NEWOBJ: cls.__new__(cls, *args); for the classes allowed here that equals cls(*args).
                    var newArgs = PopArgs("NEWOBJ");
                    Push(Call(Pop(), newArgs));
                    break;
                case 0x92: // NEWOBJ_EX
                    if (Pop() is not OrderedDictionary<object, object?> { Count: 0 })
                        throw Bad("NEWOBJ_EX with keyword arguments is not supported");
                    var exArgs = PopArgs("NEWOBJ_EX");
                    Push(Call(Pop(), exArgs));
                    break;
                case (byte)'b': // BUILD: obj.__setstate__(state)
                    var state = Pop();
                    // PyTorch's state_dict() is an OrderedDict carrying a `_metadata` attribute (module versions),
                    // pickled as a BUILD on the dict. A .NET dictionary has nowhere to keep attributes and loading
                    // does not need them, so the state is dropped; any other object with state is unsupported.
                    if (Peek() is not OrderedDictionary<object, object?>)
                        throw Bad($"BUILD (setting Python object state) on {Describe(Peek())} is not supported");
                    if (state is not (null or OrderedDictionary<object, object?>))
                        throw Bad($"BUILD on a dict with {Describe(state)} state is not supported");
                    break;
                case (byte)'Q': // BINPERSID
                    Push(_persistentLoad(Pop()));
                    break;

                default:
                    throw Bad($"opcode 0x{op:x2} ('{(char)op}') is not supported: only the binary opcodes of " +
                              "pickle protocols 1-5 are read (torch.save writes protocol 2 unless told otherwise)");
            }
        }
    }

    // ---- reading the byte stream ----

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Truncated();
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Truncated();
        var span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    /// <summary>A little-endian unsigned length of 4 or 8 bytes that must fit in what is left of the pickle.</summary>
    private int ReadLength(int width)
    {
        var n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)) : BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        if (n > (ulong)(_data.Length - _pos)) throw Truncated();
        return (int)n;
    }

    private string ReadUtf8(int n) => Encoding.UTF8.GetString(ReadBytes(n));

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Truncated();
        var line = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return line;
    }

    /// <summary>A little-endian two's-complement integer of n bytes: a long when it fits, else a BigInteger.</summary>
    private object ReadLong(int n)
    {
        var bytes = ReadBytes(n);
        if (n == 0) return 0L;
        if (n <= 8)
        {
            long v = 0;
            for (var i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
            if (n < 8 && (bytes[n - 1] & 0x80) != 0) v |= -1L << (8 * n); // sign-extend
            return v;
        }
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    // ---- the stack ----

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count)) throw Bad("the stack is empty");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    /// <summary>Removes and returns everything above the innermost MARK, and the MARK itself.</summary>
    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Bad("no MARK to pop to");
        var start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object?[] PopTuple(int n)
    {
        var tuple = new object?[n];
        for (var i = n - 1; i >= 0; i--) tuple[i] = Pop();
        return tuple;
    }

    private object?[] PopArgs(string opcode) =>
        Pop() as object?[] ?? throw Bad($"{opcode} needs a tuple of arguments");

    private T Top<T>(string opcode) where T : class =>
        Peek() as T ?? throw Bad($"{opcode} applies to {Describe(Peek())}, not to a {typeof(T).Name}");

    private void SetItems(OrderedDictionary<object, object?> dict, List<object?> keysAndValues)
    {
        if (keysAndValues.Count % 2 != 0) throw Bad("a dict needs as many values as keys");
        for (var i = 0; i < keysAndValues.Count; i += 2)
        {
            var key = keysAndValues[i] ?? throw Bad("a dict key is None, which a .NET dictionary cannot hold");
            dict[key] = keysAndValues[i + 1];
        }
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Bad($"memo entry {index} was never stored");

    // ---- globals and calls ----

    private object FindGlobal(string module, string name)
    {
        // Protocol-2 pickles name Python 2 modules; Python 3's unpickler maps them (fix_imports) and so do we.
        module = module switch
        {
            "__builtin__" => "builtins",
            "copy_reg" => "copyreg",
            _ => module,
        };
        return _findGlobal(module, name);
    }

    private object? Call(object? callable, object?[] args) =>
        callable is PythonCallable f ? f.Invoke(args) : throw Bad($"{Describe(callable)} is not callable");

    // ---- errors ----

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PythonCallable f => $"'{f.Name}'",
        _ => $"a {value.GetType().Name}",
    };

    private InvalidDataException Bad(string message) => new($"data.pkl at byte {_opStart}: {message}");

    private InvalidDataException Truncated() =>
        new($"data.pkl ends in the middle of the opcode at byte {_opStart}: the file is truncated or corrupt");
}
