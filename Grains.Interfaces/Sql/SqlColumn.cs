namespace IceFire.Grains.Interfaces.Sql;

/// <summary>One result column: its name, the type it was declared with, and the storage class of its first value.</summary>
/// <param name="Name">Column name as SQLite reports it (the alias when there is one).</param>
/// <param name="DeclaredType">The declared type of a table column (e.g. "INTEGER", "timestamp"); null for an expression.</param>
/// <param name="StorageClass">The storage class of the first row's value, when a row was read; null when unknown.</param>
/// <param name="TableName">The table the column comes from, when it is a plain column reference.</param>
public sealed record SqlColumn(string Name, string? DeclaredType, SqlStorageClass? StorageClass, string? TableName = null);
