package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// VM is one entry of the inventory: a name, its initial power state, its extraConfig, and
// optionally a folder under the datacenter's vm folder (created when missing), as real sites have.
type VM struct {
	Name        string            `json:"name"`
	Folder      string            `json:"folder"`
	Power       string            `json:"power"`
	ExtraConfig map[string]string `json:"extraConfig"`
}

// inventory is a control request (and the -inventory file): VMs, and where they live (the default datacenter
// when it names none).
type inventory struct {
	Placement
	VMs []VM `json:"vms"`
}

// provisioner creates VMs through the simulator's own SOAP API, so they are indistinguishable
// from VMs created by a real client. One at a time: the control endpoint may be called concurrently.
type provisioner struct {
	mu     sync.Mutex
	client *govmomi.Client
	home   *site // the default datacenter
	sites  map[Placement]*site
	dirs   []string // the datastores' directories this process made
}

func newProvisioner(ctx context.Context, u *url.URL, datacenter string) (*provisioner, error) {
	// In-process loopback to our own listener: the certificate is ours, no need to verify it here.
	client, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return nil, fmt.Errorf("connecting to the simulator: %v", err)
	}
	finder := find.NewFinder(client.Client, false)
	dc, err := finder.Datacenter(ctx, "DC0")
	if err != nil {
		return nil, err
	}
	if datacenter != "DC0" {
		task, err := dc.Rename(ctx, datacenter)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("renaming the datacenter: %v", err)
		}
		// Found again so that its inventory path (and its folders' paths) carry the new name.
		if dc, err = finder.Datacenter(ctx, datacenter); err != nil {
			return nil, err
		}
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := finder.DefaultResourcePool(ctx)
	if err != nil {
		return nil, err
	}
	store, err := finder.DefaultDatastore(ctx)
	if err != nil {
		return nil, err
	}
	home := &site{finder: finder, folder: folders.VmFolder, pool: pool, store: store.Name()}
	return &provisioner{client: client, home: home, sites: map[Placement]*site{}}, nil
}

func (p *provisioner) removeDirs() {
	for _, dir := range p.dirs {
		_ = os.RemoveAll(dir)
	}
}

// ensure creates the VMs that do not exist yet (by name, in the placement's datacenter) and returns the names it created.
func (p *provisioner) ensure(ctx context.Context, pl Placement, vms []VM) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.place(ctx, pl)
	if err != nil {
		return nil, err
	}
	created := []string{}
	for _, vm := range vms {
		if _, err := s.finder.VirtualMachine(ctx, vm.Name); err == nil {
			continue
		} else if !isNotFound(err) {
			return created, err
		}
		if err := s.create(ctx, p.client, vm); err != nil {
			return created, fmt.Errorf("VM %s: %v", vm.Name, err)
		}
		created = append(created, vm.Name)
	}
	return created, nil
}

func (s *site) create(ctx context.Context, client *govmomi.Client, vm VM) error {
	spec := types.VirtualMachineConfigSpec{
		Name:    vm.Name,
		GuestId: string(types.VirtualMachineGuestOsIdentifierOtherGuest64),
		Files:   &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", s.store)},
	}
	for key, value := range vm.ExtraConfig {
		spec.ExtraConfig = append(spec.ExtraConfig, &types.OptionValue{Key: key, Value: value})
	}
	if s.network != nil {
		card, err := nic(ctx, s.network)
		if err != nil {
			return err
		}
		spec.DeviceChange = append(spec.DeviceChange, card)
	}
	folder, err := s.vmFolder(ctx, vm.Folder)
	if err != nil {
		return err
	}
	task, err := folder.CreateVM(ctx, spec, s.pool, nil)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return err
	}
	machine := object.NewVirtualMachine(client.Client, info.Result.(types.ManagedObjectReference))
	switch vm.Power {
	case "", "poweredOff":
		return nil
	case "poweredOn":
		return run(ctx, machine.PowerOn)
	case "suspended":
		if err := run(ctx, machine.PowerOn); err != nil {
			return err
		}
		return run(ctx, machine.Suspend)
	default:
		return fmt.Errorf("unknown power state %q (poweredOn, poweredOff, suspended)", vm.Power)
	}
}

// remove destroys the named VMs that exist in the placement's datacenter (powering a running one off first) and
// returns the names it removed: what Zerto does to a moved VPG's protected VMs, through the same SOAP API.
func (p *provisioner) remove(ctx context.Context, pl Placement, vms []VM) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	removed := []string{}
	finder := p.home.finder
	if pl.Datacenter != "" {
		var err error
		if finder, _, err = p.datacenter(ctx, pl.Datacenter); err != nil || finder == nil {
			return removed, err // no such datacenter: nothing to remove
		}
	}
	for _, vm := range vms {
		machine, err := finder.VirtualMachine(ctx, vm.Name)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return removed, err
		}
		state, err := machine.PowerState(ctx)
		if err == nil && state != types.VirtualMachinePowerStatePoweredOff {
			err = run(ctx, machine.PowerOff)
		}
		if err == nil {
			err = run(ctx, machine.Destroy)
		}
		if err != nil {
			return removed, fmt.Errorf("VM %s: %v", vm.Name, err)
		}
		removed = append(removed, vm.Name)
	}
	return removed, nil
}

// vmFolder returns the named folder directly under the vm folder, creating it when missing.
func (s *site) vmFolder(ctx context.Context, name string) (*object.Folder, error) {
	if name == "" {
		return s.folder, nil
	}
	folder, err := s.finder.Folder(ctx, s.folder.InventoryPath+"/"+name)
	if isNotFound(err) {
		return s.folder.CreateFolder(ctx, name)
	}
	return folder, err
}

func run(ctx context.Context, start func(context.Context) (*object.Task, error)) error {
	task, err := start(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}
