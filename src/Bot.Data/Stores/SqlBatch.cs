using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace Bot.Data.Stores;

/// <summary>
/// Several statements sent in one round trip through Dapper. Each added statement gets its own
/// parameter names (suffix <c>_N</c>) so the same constant statement can appear more than once.
/// </summary>
internal sealed partial class SqlBatch
{
    private readonly StringBuilder _sql = new();
    private readonly DynamicParameters _parameters = new();
    private int _count;

    public bool IsEmpty => _count == 0;

    public void Add(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        var suffix = "_" + _count++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _sql.Append(Parameter().Replace(sql, m => m.Value + suffix)).Append(";\n");
        foreach (var (name, value) in parameters)
            _parameters.Add(name + suffix, value);
    }

    public CommandDefinition ToCommand(System.Data.IDbTransaction transaction, CancellationToken cancellationToken) =>
        new(_sql.ToString(), _parameters, transaction, cancellationToken: cancellationToken);

    // @name, but not the ::type casts that follow some parameters.
    [GeneratedRegex(@"(?<![@\w])@[a-z_][a-z0-9_]*")]
    private static partial Regex Parameter();
}
