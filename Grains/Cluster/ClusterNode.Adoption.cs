using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster;

/// <summary>
/// Adopting the data directory of a single silo from before a single silo ran as a cluster of one: <c>tenants.json</c>
/// lists the tenants (names, password hashes, settings) and <c>tenants/NAME</c> holds each one's LMDB environment and
/// tables. The founding silo enters every tenant into the system group, then moves each directory to where its replica
/// lives (<c>tenants/NAME.gGROUP</c>), and removes the catalog last. Each step is idempotent, so a start interrupted
/// anywhere finishes the adoption on the next one; the environments are adopted as they are, their keyspace format
/// included, with an empty log: the replica's applied index starts at 0 and the log appends after it.
/// </summary>
public sealed partial class ClusterNode
{
    private string SingleSiloCatalogPath => Path.Combine(_options.Data.Path, SingleSiloCatalog.FileName);

    /// <summary>True when the data directory holds a single silo's tenants not yet adopted.</summary>
    private bool HoldsSingleSiloData => File.Exists(SingleSiloCatalogPath);

    private async Task AdoptSingleSiloDataAsync(CancellationToken cancellationToken)
    {
        if (!HoldsSingleSiloData)
        {
            return;
        }
        var records = SingleSiloCatalog.Read(SingleSiloCatalogPath);
        await WaitForAsync(() => State.IsBorn, "the cluster state", cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            if (record.Name != ITenantDirectory.DefaultTenant && !State.Tenants.ContainsKey(record.Name))
            {
                var create = new CreateTenantProto
                {
                    Name = record.Name,
                    Password = ClusterState.ToProto(record.Password),
                    CreatedUnixMs = record.Created.ToUnixTimeMilliseconds(),
                };
                await AdoptionStepAsync(new TenantChangeRequestProto { Create = create }, record.Name, cancellationToken).ConfigureAwait(false);
                await WaitForAsync(() => State.Tenants.ContainsKey(record.Name), $"tenant {record.Name} to be entered", cancellationToken).ConfigureAwait(false);
            }
            if (record.Settings is { Count: > 0 } settings)
            {
                var change = new TenantSettingsProto { Name = record.Name };
                change.Settings.Add(settings.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
                await AdoptionStepAsync(new TenantChangeRequestProto { Settings = change }, record.Name, cancellationToken).ConfigureAwait(false);
            }
            var from = _options.Data.TenantPath(record.Name);
            var to = ReplicaPath(record.Name, State.Tenants[record.Name].GroupId);
            if (Directory.Exists(from) && !Directory.Exists(to))
            {
                Directory.Move(from, to);
            }
        }
        DurableFile.FsyncDirectory(Path.Combine(_options.Data.Path, "tenants"));
        File.Delete(SingleSiloCatalogPath);
        DurableFile.FsyncDirectory(_options.Data.Path);
        ClusterNodeLog.Adopted(_logger, records.Count, records.Count == 1 ? "tenant" : "tenants");
    }

    private async Task AdoptionStepAsync(TenantChangeRequestProto change, string tenant, CancellationToken cancellationToken)
    {
        var status = await ChangeTenantAsync(change, cancellationToken).ConfigureAwait(false);
        if (status is not (TenantChangeStatus.Done or TenantChangeStatus.Exists))
        {
            throw new DataDirectoryException($"adopting tenant {tenant} of {SingleSiloCatalogPath} failed: {status}; the directory is left as it is");
        }
    }

    /// <summary>Where this silo keeps its replica of <paramref name="tenant"/>'s group <paramref name="groupId"/>.</summary>
    private string ReplicaPath(string tenant, ulong groupId) => Path.Combine(_options.Data.Path, "tenants", $"{tenant}.g{groupId}");
}
