package main

import (
	"context"
	"fmt"
	"os"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Placement is where a request's VMs live when it names a datacenter: that datacenter, the root resource pool
// of one of its clusters, a datastore of that cluster and a network. The simulator creates whichever is missing
// through its own SOAP API (CreateDatacenter, CreateClusterEx with one host added, CreateLocalDatastore on that
// host, AddPortGroup on the host's vSwitch0), as an administrator would on a real vCenter.
type Placement struct {
	Datacenter string `json:"datacenter"`
	Cluster    string `json:"cluster"`
	Datastore  string `json:"datastore"`
	Network    string `json:"network"`
}

// site is a resolved placement: where create puts a VM.
type site struct {
	finder *find.Finder // scoped to the datacenter: VMs are found by name within it
	folder *object.Folder
	pool   *object.ResourcePool
	store  string
	// The network each VM's NIC is on; nil for the default datacenter, whose VMs have no NIC (as before placements).
	network object.NetworkReference
}

func isNotFound(err error) bool {
	_, notFound := err.(*find.NotFoundError)
	return notFound
}

// datacenter finds the named datacenter; a nil finder when there is none.
func (p *provisioner) datacenter(ctx context.Context, name string) (*find.Finder, *object.Datacenter, error) {
	finder := find.NewFinder(p.client.Client, false)
	dc, err := finder.Datacenter(ctx, name)
	if isNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	finder.SetDatacenter(dc)
	return finder, dc, nil
}

// place returns where the VMs of a request go: the default datacenter's site when it names no datacenter, else
// the named one's, created with its cluster, datastore and network when missing (remembered once resolved).
func (p *provisioner) place(ctx context.Context, pl Placement) (*site, error) {
	if pl.Datacenter == "" {
		return p.home, nil
	}
	if s := p.sites[pl]; s != nil {
		return s, nil
	}
	finder, dc, err := p.datacenter(ctx, pl.Datacenter)
	if err == nil && finder == nil {
		if _, err = object.NewRootFolder(p.client.Client).CreateDatacenter(ctx, pl.Datacenter); err == nil {
			// Found again so that its inventory path (and its folders' paths) carry its name.
			finder, dc, err = p.datacenter(ctx, pl.Datacenter)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("datacenter %s: %v", pl.Datacenter, err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := finder.ClusterComputeResource(ctx, pl.Cluster)
	if isNotFound(err) {
		cluster, err = newCluster(ctx, folders.HostFolder, pl)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %s of datacenter %s: %v", pl.Cluster, pl.Datacenter, err)
	}
	hosts, err := cluster.Hosts(ctx)
	if err == nil && len(hosts) == 0 {
		err = fmt.Errorf("it has no host")
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %s of datacenter %s: %v", pl.Cluster, pl.Datacenter, err)
	}
	if err := p.ensureDatastore(ctx, cluster, hosts[0], pl.Datastore); err != nil {
		return nil, fmt.Errorf("datastore %s of cluster %s: %v", pl.Datastore, pl.Cluster, err)
	}
	network, err := ensureNetwork(ctx, finder, hosts[0], pl.Network)
	if err != nil {
		return nil, fmt.Errorf("network %s of datacenter %s: %v", pl.Network, pl.Datacenter, err)
	}
	pool, err := cluster.ResourcePool(ctx)
	if err != nil {
		return nil, err
	}
	s := &site{finder: finder, folder: folders.VmFolder, pool: pool, store: pl.Datastore, network: network}
	p.sites[pl] = s
	return s, nil
}

// newCluster creates the cluster with one connected host: the simulator places a VM on a host of its pool's cluster.
func newCluster(ctx context.Context, hostFolder *object.Folder, pl Placement) (*object.ClusterComputeResource, error) {
	cluster, err := hostFolder.CreateCluster(ctx, pl.Cluster, types.ClusterConfigSpecEx{})
	if err != nil {
		return nil, err
	}
	spec := types.HostConnectSpec{HostName: fmt.Sprintf("esx-1.%s.%s", pl.Cluster, pl.Datacenter)}
	return cluster, run(ctx, func(ctx context.Context) (*object.Task, error) { return cluster.AddHost(ctx, spec, true, nil, nil) })
}

// ensureDatastore mounts a local datastore of that name on the host when the cluster has none: a directory of its
// own (the simulator keeps the VMs' files there), removed when the simulator exits.
func (p *provisioner) ensureDatastore(ctx context.Context, cluster *object.ClusterComputeResource, host *object.HostSystem, name string) error {
	stores, err := cluster.Datastores(ctx)
	if err != nil {
		return err
	}
	for _, store := range stores {
		if existing, err := store.ObjectName(ctx); err != nil || existing == name {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "vcsim-datastore-")
	if err != nil {
		return err
	}
	p.dirs = append(p.dirs, dir)
	system, err := host.ConfigManager().DatastoreSystem(ctx)
	if err == nil {
		_, err = system.CreateLocalDatastore(ctx, name, dir)
	}
	return err
}

// ensureNetwork returns the datacenter's network of that name, adding it as a port group of the host's vSwitch0 when missing.
func ensureNetwork(ctx context.Context, finder *find.Finder, host *object.HostSystem, name string) (object.NetworkReference, error) {
	network, err := finder.Network(ctx, name)
	if !isNotFound(err) {
		return network, err
	}
	system, err := host.ConfigManager().NetworkSystem(ctx)
	if err == nil {
		err = system.AddPortGroup(ctx, types.HostPortGroupSpec{Name: name, VswitchName: "vSwitch0"})
	}
	if err != nil {
		return nil, err
	}
	return finder.Network(ctx, name)
}

// nic is the config change that adds a vmxnet3 NIC on the network.
func nic(ctx context.Context, network object.NetworkReference) (types.BaseVirtualDeviceConfigSpec, error) {
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return nil, err
	}
	device, err := object.EthernetCardTypes().CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return nil, err
	}
	return &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: device}, nil
}
