// Command vcsim is the project's vCenter simulator: govmomi's simulator package (Debian 0.24.2) with
// one default datacenter of our name, the topology's VMs by their real names, an enforced username/password,
// TLS with the testenv certificate, and a control endpoint that adds and removes VMs while it runs.
//
// A control request may name a datacenter with its cluster, datastore and network (placement.go): the
// simulator creates what is missing through its own SOAP API and puts the request's VMs there, so a drill of a
// user's topology finds its VMs under /<its datacenter>/vm, on its cluster, datastore and network. Without a
// datacenter, requests use the default datacenter (govmomi's DC0_C0 cluster, LocalDS_0 datastore, no NIC).
//
// The password comes from the VCSIM_PASSWORD environment variable, never from argv (ps shows argv).
package main

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	username := flag.String("username", "", "the only accepted username (password from $VCSIM_PASSWORD)")
	certFile := flag.String("tls-cert", "", "PEM server certificate")
	keyFile := flag.String("tls-key", "", "PEM private key of the certificate")
	datacenter := flag.String("datacenter", "DC0", "datacenter name")
	inventoryFile := flag.String("inventory", "", "JSON file {\"vms\":[{\"name\",\"power\",\"extraConfig\"}]}")
	flag.Parse()
	password := os.Getenv("VCSIM_PASSWORD")
	if *username == "" || password == "" || *certFile == "" || *keyFile == "" {
		log.Fatal("vcsim: -username, $VCSIM_PASSWORD, -tls-cert and -tls-key are required")
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("vcsim: loading the TLS key pair: %v", err)
	}

	model := simulator.VPX()
	model.Machine = 0 // only the inventory's VMs, by their real names
	model.ClusterHost = 1
	model.Host = 0
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: creating the model: %v", err)
	}
	defer model.Remove() // deletes the simulator's datastore temp dirs

	creds := url.UserPassword(*username, password)
	model.Service.Listen = &url.URL{Host: *listen, User: creds}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	var prov *provisioner
	model.Service.HandleFunc("/pra/vms", func(w http.ResponseWriter, r *http.Request) {
		serveProvision(w, r, prov, *username, password)
	})
	server := model.Service.NewServer()
	defer server.Close()

	ctx := context.Background()
	local := *server.URL
	local.User = creds
	prov, err = newProvisioner(ctx, &local, *datacenter)
	if err != nil {
		log.Fatalf("vcsim: %v", err)
	}
	defer prov.removeDirs()
	if *inventoryFile != "" {
		var inv inventory
		data, err := os.ReadFile(*inventoryFile)
		if err == nil {
			err = json.Unmarshal(data, &inv)
		}
		if err != nil {
			log.Fatalf("vcsim: reading inventory %s: %v", *inventoryFile, err)
		}
		if _, err := prov.ensure(ctx, inv.Placement, inv.VMs); err != nil {
			log.Fatalf("vcsim: creating the inventory: %v", err)
		}
	}
	fmt.Printf("vcsim ready: %s datacenter %s\n", server.URL.Host, *datacenter)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}

// serveProvision is POST /pra/vms {"vms":[...]}: idempotent, answers {"created":[names]}; DELETE /pra/vms
// {"vms":[{"name"}]} destroys those that exist, answers {"removed":[names]}. Either may name a
// "datacenter" (POST: with its "cluster", "datastore" and "network"; see Placement) to act there.
// It takes the simulator's own credentials (HTTP Basic): the control plane is no back door.
func serveProvision(w http.ResponseWriter, r *http.Request, prov *provisioner, username, password string) {
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(username)) != 1 || subtle.ConstantTimeCompare([]byte(pass), []byte(password)) != 1 {
		http.Error(w, "credentials required", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		http.Error(w, "POST or DELETE a JSON {\"vms\":[...]}", http.StatusMethodNotAllowed)
		return
	}
	var inv inventory
	if err := json.NewDecoder(r.Body).Decode(&inv); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	key, act := "created", prov.ensure
	if r.Method == http.MethodDelete {
		key, act = "removed", prov.remove
	} else if inv.Datacenter != "" && (inv.Cluster == "" || inv.Datastore == "" || inv.Network == "") {
		http.Error(w, "a request naming a datacenter must name its cluster, datastore and network too", http.StatusBadRequest)
		return
	}
	names, err := act(r.Context(), inv.Placement, inv.VMs)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string][]string{key: names})
}
