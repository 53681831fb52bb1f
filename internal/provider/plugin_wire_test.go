package provider

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Terraform reaches the provider over gRPC, through terraform-plugin-go's plugin server (tf6server), which
// stands between it and the framework. The protocol-level tests call the framework's server directly, so
// they do not see what that layer does, to a stream of events in particular. These tests serve the
// provider as Terraform runs it and send it the protocol's own messages.

// wireProvider is the provider served over gRPC on a local socket, as Terraform runs it.
type wireProvider struct {
	t    *testing.T
	conn *grpc.ClientConn
}

// serveOverGRPC serves the provider as Terraform runs it (go-plugin in its reattach mode) and connects
// to it. Everything is stopped when the test ends.
func serveOverGRPC(t *testing.T) *wireProvider {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve("registry.terraform.io/tencentvod/tencentvod", providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattach, closed), tf6server.WithLoggingSink(t),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	}()
	var config *plugin.ReattachConfig
	select {
	case config = <-reattach:
	case err := <-served:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	}
	conn, err := grpc.NewClient(config.Addr.Network()+":"+config.Addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cancel()
		t.Fatalf("connecting to the provider: %s", err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		<-closed
	})
	return &wireProvider{t: t, conn: conn}
}

// message is a new protocol message, by its full name ("tfplugin6.InvokeAction.Request"): its Go type
// is internal to terraform-plugin-go, but registered with protobuf's registry.
func (w *wireProvider) message(name string) protoreflect.Message {
	w.t.Helper()
	typ, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		w.t.Fatalf("protocol message %s: %s", name, err)
	}
	return typ.New()
}

// field is the descriptor of m's field name.
func field(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	return m.Descriptor().Fields().ByName(protoreflect.Name(name))
}

// dynamicValue is a configuration as the protocol carries it: msgpack, as Terraform encodes it.
func (w *wireProvider) dynamicValue(value *tfprotov6.DynamicValue) protoreflect.Value {
	m := w.message("tfplugin6.DynamicValue")
	m.Set(field(m, "msgpack"), protoreflect.ValueOfBytes(value.MsgPack))
	return protoreflect.ValueOfMessage(m)
}

// call makes the unary call method ("ConfigureProvider") and returns its response.
func (w *wireProvider) call(method string, request protoreflect.Message) protoreflect.Message {
	w.t.Helper()
	response := w.message("tfplugin6." + method + ".Response")
	if err := w.conn.Invoke(context.Background(), "/tfplugin6.Provider/"+method, request.Interface(), response.Interface()); err != nil {
		w.t.Fatalf("%s: %s", method, err)
	}
	return response
}

// wireDiagnostics renders a response's diagnostics ("ERROR: summary: detail" each), for messages and checks.
func wireDiagnostics(m protoreflect.Message) string {
	list := m.Get(field(m, "diagnostics")).List()
	var lines []string
	for i := range list.Len() {
		d := list.Get(i).Message()
		severity := field(d, "severity")
		lines = append(lines, string(severity.Enum().Values().ByNumber(d.Get(severity).Enum()).Name())+"|"+
			d.Get(field(d, "summary")).String()+": "+d.Get(field(d, "detail")).String())
	}
	return strings.Join(lines, "\n")
}

// configure calls ConfigureProvider as Terraform 1.14 does, and fails the test on an error.
func (w *wireProvider) configure(config *tfprotov6.DynamicValue) {
	w.t.Helper()
	request := w.message("tfplugin6.ConfigureProvider.Request")
	request.Set(field(request, "terraform_version"), protoreflect.ValueOfString("1.14.0"))
	request.Set(field(request, "config"), w.dynamicValue(config))
	if diagnostics := wireDiagnostics(w.call("ConfigureProvider", request)); diagnostics != "" {
		w.t.Fatalf("ConfigureProvider: %s", diagnostics)
	}
}

// stopProvider calls StopProvider, as Terraform does on Ctrl-C.
func (w *wireProvider) stopProvider() {
	w.t.Helper()
	response := w.call("StopProvider", w.message("tfplugin6.StopProvider.Request"))
	if e := response.Get(field(response, "Error")).String(); e != "" {
		w.t.Fatalf("StopProvider: %s", e)
	}
}

// wireEvent is one event of an InvokeAction stream: a progress message, or the completed event's
// diagnostics.
type wireEvent struct {
	progress    string
	completed   bool
	diagnostics string
}

// invokeAction calls InvokeAction and returns a function that reads the next event, or nil at the
// stream's end.
func (w *wireProvider) invokeAction(typeName string, config *tfprotov6.DynamicValue) func() *wireEvent {
	w.t.Helper()
	request := w.message("tfplugin6.InvokeAction.Request")
	request.Set(field(request, "action_type"), protoreflect.ValueOfString(typeName))
	request.Set(field(request, "config"), w.dynamicValue(config))
	stream, err := w.conn.NewStream(context.Background(), &grpc.StreamDesc{ServerStreams: true}, "/tfplugin6.Provider/InvokeAction")
	if err != nil {
		w.t.Fatalf("InvokeAction: %s", err)
	}
	if err := stream.SendMsg(request.Interface()); err != nil {
		w.t.Fatalf("InvokeAction: %s", err)
	}
	if err := stream.CloseSend(); err != nil {
		w.t.Fatalf("InvokeAction: %s", err)
	}
	return func() *wireEvent {
		w.t.Helper()
		event := w.message("tfplugin6.InvokeAction.Event")
		if err := stream.RecvMsg(event.Interface()); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			w.t.Fatalf("InvokeAction's stream: %s", err)
		}
		if progress := field(event, "progress"); event.Has(progress) {
			m := event.Get(progress).Message()
			return &wireEvent{progress: m.Get(field(m, "message")).String()}
		}
		completed := event.Get(field(event, "completed")).Message()
		return &wireEvent{completed: true, diagnostics: wireDiagnostics(completed)}
	}
}

// Through the plugin server, as Terraform 1.14 runs the action: the start's line reaches Terraform while
// the task still runs (events are streamed, not held back to the end), and when Terraform is interrupted
// (StopProvider) the stream ends at once. The plugin server sends nothing after a stop, not even the
// action's final error, which is why the start's line says that the task keeps running.
func TestWireProcessMedia_streamedAndInterrupted(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := servedProvider(t) // the schemas, to encode values
	w := serveOverGRPC(t)
	w.configure(p.objectValue(p.schemas.Provider, emulatorProviderConfig(env, nil)))

	next := w.invokeAction(processMediaType, p.actionConfig(processMediaType,
		processMediaArguments(fileID, "StreamingPreset", waitFor("1m"))))
	first := next()
	if first == nil || first.completed {
		t.Fatalf("the first event is %+v, want the start's progress line", first)
	}
	task := env.onlyTask()
	requireText(t, first.progress, "^Started procedure", regexp.QuoteMeta(task.TaskID),
		"if Terraform is interrupted, the task keeps running in VOD")

	w.stopProvider()
	for event := next(); event != nil; event = next() {
		// Had the events been held back until the invocation ended, its timeout would have ended it.
		if event.completed && strings.Contains(event.diagnostics, "timeout") {
			t.Errorf("the invocation ran into its timeout, so its events were not streamed: %s", event.diagnostics)
		}
		if strings.Contains(event.progress+event.diagnostics, emulatorSecretKey) {
			t.Errorf("an event shows the secret key: %+v", event)
		}
	}
	if status := task.Status(time.Now()); status == "FINISH" {
		t.Errorf("the emulator's task is %s", status)
	}
	if n := len(env.emu.Tasks()); n != 1 {
		t.Errorf("%d tasks, want 1", n)
	}
}
