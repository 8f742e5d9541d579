using Bot.Core.Engine;
using Bot.Data.Json;

namespace Bot.Data.Tests;

/// <summary>Stored names come from one hand-written table, never from CLR type names.</summary>
public class StoredNamesTests
{
    public static TheoryData<string> Tables() => ["work", "events", "commands"];

    [Theory]
    [MemberData(nameof(Tables))]
    public void Every_concrete_type_has_exactly_one_distinct_stored_name(string table)
    {
        var (baseType, names) = table switch
        {
            "work" => (typeof(WorkItem), StoredNames.WorkKinds),
            "events" => (typeof(RunEvent), StoredNames.Events),
            _ => (typeof(RunCommand), StoredNames.Commands),
        };
        var concrete = baseType.Assembly.GetTypes().Where(t => t.IsSubclassOf(baseType) && !t.IsAbstract).ToHashSet();
        Assert.Equal(concrete, names.Keys.ToHashSet());
        Assert.Equal(names.Count, names.Values.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_work_item_round_trips_through_its_stored_kind()
    {
        var item = new ExecuteActionWork(new(3), 2, 1, "ls -la", Attempt: 2);
        var kind = WorkKinds.Of(item.GetType());
        Assert.Equal("ExecuteAction", kind);
        Assert.Equal(item, WorkKinds.Deserialize(kind, DataJson.Serialize(item, item.GetType())));
    }
}
