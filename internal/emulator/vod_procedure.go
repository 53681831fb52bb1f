package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Sub-task types of a task flow, as MediaProcessTaskResult.Type names them. The type list of that
// object spells the sprite type "ImageSprites" (its ImageSpriteTask field says "ImageSprite"); the
// emulator follows the type list.
const (
	StepTranscode                = "Transcode"
	StepAdaptiveDynamicStreaming = "AdaptiveDynamicStreaming"
	StepSnapshotByTimeOffset     = "SnapshotByTimeOffset"
	StepImageSprites             = "ImageSprites"
)

// stepTypes are the sub-task types the emulator runs.
var stepTypes = []string{StepTranscode, StepAdaptiveDynamicStreaming, StepSnapshotByTimeOffset, StepImageSprites}

// stepShortNames are the step names of the -procedure flag and the admin call.
var stepShortNames = map[string]string{
	"transcode": StepTranscode,
	"adaptive":  StepAdaptiveDynamicStreaming,
	"snapshot":  StepSnapshotByTimeOffset,
	"sprite":    StepImageSprites,
}

// Definitions of the emulator's preset templates. They follow the numbering of VOD's preset templates
// (transcoding 100010-100040: MP4 at 360p, 540p, 720p and 1080p; adaptive streaming 10; time-offset
// snapshots 10; image sprites 10, the definitions DescribeMediaInfos' example shows). The emulator's
// own choice: 20 is the adaptive template that packages DASH instead of HLS.
const (
	DefinitionTranscode360p  = 100010
	DefinitionTranscode540p  = 100020
	DefinitionTranscode720p  = 100030
	DefinitionTranscode1080p = 100040
	DefinitionAdaptiveHLS    = 10
	DefinitionAdaptiveDASH   = 20
	DefinitionSnapshot       = 10
	DefinitionImageSprite    = 10
)

// ProcedureStep is one sub-task of a task flow: a processing type and its template definition.
type ProcedureStep struct {
	Type       string // StepTranscode, StepAdaptiveDynamicStreaming, ...
	Definition int64
	// Fail makes this sub-task end in FAIL (for tests of failed processing).
	Fail bool
}

// Procedure is a task-flow template: ProcessMediaByProcedure and ApplyUpload's Procedure name it.
type Procedure struct {
	Name  string
	Steps []ProcedureStep
}

// Built-in task flows, present in every emulator (see BuiltinProcedures).
const (
	// ProcedureLongVideoPreset was the emulator's only procedure before it processed anything; it
	// packages an HLS adaptive stream.
	ProcedureLongVideoPreset = DefaultProcedure
	// ProcedureStreaming: HLS and DASH adaptive streams, two MP4 transcodes, snapshots and an image sprite.
	ProcedureStreaming = "StreamingPreset"
	// ProcedureTranscodeOnly: the four MP4 transcodes.
	ProcedureTranscodeOnly = "TranscodePreset"
	// ProcedureTranscodeAndSnapshot is the template name of ProcessMediaByProcedure's documented example.
	ProcedureTranscodeAndSnapshot = "TranscodeAndSnapshot"
	// ProcedureFailing: a 360p transcode that succeeds and an HLS adaptive stream that always fails.
	ProcedureFailing = "FailingPreset"
)

// BuiltinProcedures returns the task flows every emulator has.
func BuiltinProcedures() []Procedure {
	return []Procedure{
		{Name: ProcedureLongVideoPreset, Steps: []ProcedureStep{
			{Type: StepAdaptiveDynamicStreaming, Definition: DefinitionAdaptiveHLS},
		}},
		{Name: ProcedureStreaming, Steps: []ProcedureStep{
			{Type: StepAdaptiveDynamicStreaming, Definition: DefinitionAdaptiveHLS},
			{Type: StepAdaptiveDynamicStreaming, Definition: DefinitionAdaptiveDASH},
			{Type: StepTranscode, Definition: DefinitionTranscode360p},
			{Type: StepTranscode, Definition: DefinitionTranscode720p},
			{Type: StepSnapshotByTimeOffset, Definition: DefinitionSnapshot},
			{Type: StepImageSprites, Definition: DefinitionImageSprite},
		}},
		{Name: ProcedureTranscodeOnly, Steps: []ProcedureStep{
			{Type: StepTranscode, Definition: DefinitionTranscode360p},
			{Type: StepTranscode, Definition: DefinitionTranscode540p},
			{Type: StepTranscode, Definition: DefinitionTranscode720p},
			{Type: StepTranscode, Definition: DefinitionTranscode1080p},
		}},
		{Name: ProcedureTranscodeAndSnapshot, Steps: []ProcedureStep{
			{Type: StepTranscode, Definition: DefinitionTranscode720p},
			{Type: StepSnapshotByTimeOffset, Definition: DefinitionSnapshot},
		}},
		{Name: ProcedureFailing, Steps: []ProcedureStep{
			{Type: StepTranscode, Definition: DefinitionTranscode360p},
			{Type: StepAdaptiveDynamicStreaming, Definition: DefinitionAdaptiveHLS, Fail: true},
		}},
	}
}

// maxProcedureNameChars is CreateProcedureTemplate's limit on a template name.
const maxProcedureNameChars = 20

// ParseProcedure reads a task flow written as the -procedure flag and POST /_emulator/procedures take
// it: NAME=STEP,STEP,... where a STEP is TYPE:DEFINITION[:fail] and TYPE is transcode, adaptive,
// snapshot or sprite, e.g. "Web=adaptive:10,transcode:100030,snapshot:10,sprite:10:fail".
func ParseProcedure(spec string) (Procedure, error) {
	name, steps, ok := strings.Cut(spec, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(steps) == "" {
		return Procedure{}, fmt.Errorf("procedure %q: want NAME=TYPE:DEFINITION,... (types: transcode, adaptive, snapshot, sprite)", spec)
	}
	p := Procedure{Name: name}
	for item := range strings.SplitSeq(steps, ",") {
		step, err := parseProcedureStep(strings.TrimSpace(item))
		if err != nil {
			return Procedure{}, fmt.Errorf("procedure %q: %w", name, err)
		}
		p.Steps = append(p.Steps, step)
	}
	return p, p.validate()
}

func parseProcedureStep(item string) (ProcedureStep, error) {
	parts := strings.Split(item, ":")
	if len(parts) < 2 || len(parts) > 3 || len(parts) == 3 && parts[2] != "fail" {
		return ProcedureStep{}, fmt.Errorf("step %q: want TYPE:DEFINITION or TYPE:DEFINITION:fail", item)
	}
	stepType, ok := stepShortNames[parts[0]]
	if !ok {
		return ProcedureStep{}, fmt.Errorf("step %q: the type must be transcode, adaptive, snapshot or sprite", item)
	}
	definition, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || definition <= 0 {
		return ProcedureStep{}, fmt.Errorf("step %q: the definition must be a positive integer", item)
	}
	return ProcedureStep{Type: stepType, Definition: definition, Fail: len(parts) == 3}, nil
}

// validate checks what ParseProcedure cannot: a name VOD would accept and steps of known types.
// Repeating a step of one type and definition would make two outputs of one definition, which VOD
// never lists, so it is refused.
func (p Procedure) validate() error {
	if n := utf8.RuneCountInString(p.Name); p.Name == "" || n > maxProcedureNameChars {
		return fmt.Errorf("procedure name %q: want 1 to %d characters", p.Name, maxProcedureNameChars)
	}
	if len(p.Steps) == 0 {
		return fmt.Errorf("procedure %q has no steps", p.Name)
	}
	seen := map[ProcedureStep]bool{}
	for _, step := range p.Steps {
		if !slices.Contains(stepTypes, step.Type) {
			return fmt.Errorf("procedure %q: unknown step type %q", p.Name, step.Type)
		}
		if step.Definition <= 0 {
			return fmt.Errorf("procedure %q: %s definition %d is not positive", p.Name, step.Type, step.Definition)
		}
		key := ProcedureStep{Type: step.Type, Definition: step.Definition}
		if seen[key] {
			return fmt.Errorf("procedure %q: %s %d is listed twice", p.Name, step.Type, step.Definition)
		}
		seen[key] = true
	}
	return nil
}

// String writes p as ParseProcedure reads it, e.g. "TranscodeAndSnapshot=transcode:100030,snapshot:10".
func (p Procedure) String() string { return p.Name + "=" + strings.Join(stepSpecs(p.Steps), ",") }

func (p Procedure) clone() Procedure {
	p.Steps = slices.Clone(p.Steps)
	return p
}

// procedureStore holds the task flows by name: the built-in ones, Options.Procedures,
// Options.ProcedureTemplates and those added at run time (AddProcedure, POST /_emulator/procedures).
// Task flows belong to the account here, not to one sub-application.
type procedureStore struct {
	mu     sync.RWMutex
	byName map[string]Procedure
	// failNext counts, per procedure name, the next tasks that fail (see Server.FailNextTasks).
	failNext map[string]int
}

var errNoSuchProcedure = errors.New("no such procedure")

func newProcedureStore(names []string, templates []Procedure) (*procedureStore, error) {
	s := &procedureStore{byName: map[string]Procedure{}, failNext: map[string]int{}}
	for _, p := range BuiltinProcedures() {
		s.byName[p.Name] = p
	}
	// A name listed without a definition processes like the default procedure.
	for _, name := range names {
		if _, ok := s.byName[name]; !ok {
			s.byName[name] = Procedure{Name: name, Steps: s.byName[DefaultProcedure].clone().Steps}
		}
	}
	for _, p := range templates {
		if err := s.put(p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// put adds p, or replaces the procedure of that name.
func (s *procedureStore) put(p Procedure) error {
	if err := p.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byName[p.Name] = p.clone()
	return nil
}

func (s *procedureStore) has(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.byName[name]
	return ok
}

func (s *procedureStore) all() []Procedure {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Procedure, 0, len(s.byName))
	for _, name := range slices.Sorted(maps.Keys(s.byName)) {
		out = append(out, s.byName[name].clone())
	}
	return out
}

func (s *procedureStore) failNextTasks(name string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[name]; !ok {
		return fmt.Errorf("procedure %q: %w", name, errNoSuchProcedure)
	}
	s.failNext[name] = max(n, 0)
	return nil
}

// stepsForNewTask returns the steps a task of procedure name runs. While FailNextTasks has tasks of
// this procedure left to fail, the returned steps' first sub-task fails.
func (s *procedureStore) stepsForNewTask(name string) ([]ProcedureStep, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	steps := slices.Clone(p.Steps)
	if s.failNext[name] > 0 {
		s.failNext[name]--
		steps[0].Fail = true
	}
	return steps, true
}
