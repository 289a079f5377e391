using Microsoft.Data.Sqlite;

namespace NatsParity.ParityDb;

/// <summary>The SQLite file and its schema (parity-db/schema.sql, embedded).</summary>
internal sealed class ParityDatabase : IDisposable
{
    public SqliteConnection Connection { get; }

    private ParityDatabase(SqliteConnection c) => Connection = c;

    public static ParityDatabase Open(string path, bool readOnly = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate;
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        c.Open();
        var db = new ParityDatabase(c);
        if (!readOnly) db.Execute(Schema());
        return db;
    }

    public static string Schema()
    {
        using var s = typeof(ParityDatabase).Assembly.GetManifestResourceStream("schema.sql")
            ?? throw new InvalidOperationException("schema.sql is not embedded");
        return new StreamReader(s).ReadToEnd();
    }

    public int Execute(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    public T Scalar<T>(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? default! : (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void InTransaction(Action<SqliteTransaction> work)
    {
        using var tx = Connection.BeginTransaction();
        work(tx);
        tx.Commit();
    }

    public string? CurrentVersion() =>
        Query("SELECT version FROM catalogues WHERE is_current = 1", r => r.GetString(0)).FirstOrDefault();

    public void Dispose() => Connection.Dispose();
}
