package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ resource.Resource                = (*classResource)(nil)
	_ resource.ResourceWithConfigure   = (*classResource)(nil)
	_ resource.ResourceWithImportState = (*classResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*classResource)(nil)
)

// Each class action is one call; the time covers retries of throttled or failed calls.
const (
	defaultClassTimeout     = 5 * time.Minute
	defaultClassReadTimeout = 2 * time.Minute
	// classCreateGrace is how long CreateClass may still take once Terraform is interrupted or the create
	// timeout runs out: its reply (or the lookup of a class whose reply was lost) must reach the state
	// before a CI runner follows the interrupt with a second signal, about 7.5 s later.
	classCreateGrace = 5 * time.Second
)

// classResource manages one media class (category) of a VOD application.
type classResource struct {
	data *providerData
}

// classResourceModel maps the resource's schema.
type classResourceModel struct {
	// Arguments.
	Name     types.String   `tfsdk:"name"`
	ParentID types.Int64    `tfsdk:"parent_id"`
	SubAppID types.Int64    `tfsdk:"sub_app_id"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`

	// Results.
	ClassID types.Int64  `tfsdk:"class_id"`
	ID      types.String `tfsdk:"id"`
	Level   types.Int64  `tfsdk:"level"`
}

// NewClassResource returns the tencentvod_class resource.
func NewClassResource() resource.Resource {
	return &classResource{}
}

func (r *classResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_class"
}

func (r *classResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keepState := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A media class (category) of a VOD application (`CreateClass`). Classes form a tree " +
			"of at most " + strconv.Itoa(vod.MaxClassLevels) + " levels; file media into one with the `class_id` " +
			"of `tencentvod_media`.\n\n" +
			"A new `name` renames the class in place (`ModifyClass`). VOD cannot move a class, so a new " +
			"`parent_id` (or `sub_app_id`) replaces it. VOD deletes only a class that holds no media and no " +
			"subclasses: to move a class that holds media, give it `lifecycle { create_before_destroy = true }`. " +
			"Terraform then creates the class under its new parent first, updates in place the media whose " +
			"`class_id` refers to it, and deletes the old class once it is empty:\n\n" +
			"```terraform\n" +
			"resource \"tencentvod_class\" \"trailers\" {\n" +
			"  name      = \"Trailers\"\n" +
			"  parent_id = tencentvod_class.movies.class_id # was tencentvod_class.archive.class_id\n\n" +
			"  lifecycle {\n" +
			"    create_before_destroy = true\n" +
			"  }\n" +
			"}\n\n" +
			"resource \"tencentvod_media\" \"teaser\" {\n" +
			"  source   = \"teaser.mp4\"\n" +
			"  class_id = tencentvod_class.trailers.class_id\n" +
			"}\n" +
			"```\n\n" +
			"Without it, the old class is deleted first, and VOD refuses while media are still in it. A move " +
			"replaces the subclasses below the class too (their `parent_id` changes): give those that hold media, " +
			"or hold subclasses that do, `create_before_destroy` as well, so that the old tree is deleted from the " +
			"bottom up once it is empty. A class deleted outside Terraform is removed from the state on refresh and " +
			"planned again.",
		Attributes: map[string]schema.Attribute{
			// Arguments.
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Name of the class, 1 to %d characters without control characters; "+
					"it may contain `/`. VOD refuses two classes of the same name under one parent; a rename to a name "+
					"another class there has fails at plan. Changes in place.",
					vod.MaxClassNameLength),
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, vod.MaxClassNameLength),
					validators.NoControlCharacters(),
				},
			},
			"parent_id": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("`class_id` of the parent class; unset for a top-level class. The "+
					"parent must be at most at level %d, so that the class is at most %d levels deep: this is checked "+
					"at plan when the parent already exists. The built-in class `0` cannot hold subclasses. Changing "+
					"it replaces the class (see above for moving a class that holds media).",
					deepestClassLevel-1, vod.MaxClassLevels),
				Validators:    []validator.Int64{parentIDValidator{}},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"sub_app_id": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "VOD application ID of the class. Defaults, at create, to the provider's `sub_app_id` " +
					"(or `TENCENTVOD_SUB_APP_ID`); the value used is kept in state, null when neither was set (the " +
					"account's default application), and every later call for this class uses it, even when the " +
					"provider's default changes. Changing it replaces the class. A replacement (a new `parent_id`, " +
					"for instance) is a new class, created in the provider's default application of that time: " +
					"set `sub_app_id` here when that default may have changed, so that the class and its media stay together.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					int64planmodifier.RequiresReplace(),
				},
			},

			// Results.
			"class_id": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "ID of the class in VOD: the `class_id` of `tencentvod_media`, and the `parent_id` of subclasses.",
				PlanModifiers:       keepState,
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The `class_id`, as a string.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"level": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Depth of the class as VOD counts it: `0` for a top-level class, at "+
					"most `%d`. Known at plan when the parent exists already.", deepestClassLevel),
				PlanModifiers: keepState,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": resourceTimeoutsNamingAttributes(timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})),
		},
	}
}

func (r *classResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = configuredData("Resource", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

// ModifyPlan fills what a new class will be, and refuses a class deeper than VOD allows before
// anything is created. Terraform plans the new half of a replacement without prior state too, so this
// covers a new parent_id as well. For an update (a rename) it refuses a name another class under the
// same parent already has.
func (r *classResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	switch {
	case req.Plan.Raw.IsNull():
		return // a destroy
	case !req.State.Raw.IsNull():
		var plan, state classResourceModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(r.checkRename(ctx, &plan, &state)...)
		}
		return
	}
	var plan, config classResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.SubAppID.IsNull() {
		// The provider's default applies at create only: state pins it (or null) for every later call.
		plan.SubAppID = r.data.defaultSubAppID()
	}
	level, diags := r.planLevel(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Level = level
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planLevel is the level a new class will have, looked up from its parent when that is known. It is
// unknown when the parent is created in the same apply (Terraform plans the class again at apply, once the
// parent exists, and the check runs then, before CreateClass) or when the provider is not configured yet.
// A parent already as deep as VOD allows is refused.
func (r *classResource) planLevel(ctx context.Context, plan *classResourceModel) (types.Int64, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case plan.ParentID.IsNull():
		return types.Int64Value(0), diags
	case plan.ParentID.IsUnknown() || plan.SubAppID.IsUnknown():
		return types.Int64Unknown(), diags
	}
	tree, known, err := r.planTree(ctx, plan.SubAppID)
	switch {
	case !known:
		return types.Int64Unknown(), diags
	case err != nil:
		diags.Append(apiErrorDiagnostic("Unable to Look Up the Parent VOD Class", err))
		return types.Int64Unknown(), diags
	}
	parentID := plan.ParentID.ValueInt64()
	parent, found := tree.class(parentID)
	switch {
	case !found:
		diags.AddAttributeError(path.Root("parent_id"), "Parent Class Not Found",
			fmt.Sprintf("parent_id %d is not a class of %s. Use the class_id of an existing class (see the "+
				"tencentvod_classes data source), or of a tencentvod_class; %s.", parentID,
				describeApplication(plan.SubAppID), describeNames("the top-level classes are", tree.children(vod.TopLevelParentID))))
		return types.Int64Unknown(), diags
	case parent.Level >= deepestClassLevel:
		diags.AddAttributeError(path.Root("parent_id"), "Class Tree Too Deep",
			fmt.Sprintf("parent_id %d is the class %s, at level %d: VOD allows at most %d levels of classes "+
				"(levels 0 to %d), so it cannot hold subclasses. Choose a parent at level %d or nearer the top.",
				parentID, quotedPath(tree.path(parentID)), parent.Level, vod.MaxClassLevels, deepestClassLevel,
				deepestClassLevel-1))
		return types.Int64Unknown(), diags
	}
	return types.Int64Value(parent.Level + 1), diags
}

// planTree lists the classes of the application for a check at plan. known is false while the provider's
// configuration is not known: the check is then left to the plan Terraform makes again at apply.
func (r *classResource) planTree(ctx context.Context, subAppID types.Int64) (tree classTree, known bool, err error) {
	client, notKnown := r.data.Client("The classes cannot be looked up during plan")
	if notKnown.HasError() {
		return classTree{}, false, nil
	}
	ctx, cancel := context.WithTimeout(withLogging(ctx), defaultClassReadTimeout)
	defer cancel()
	tree, err = describeClassTree(ctx, client, subAppID)
	return tree, true, err
}

// checkRename refuses, at plan, a new name that another class under the same parent already has: VOD
// would refuse the rename at apply (FailedOperation.ClassNameDuplicate), after the changes planned before
// it. Only a rename can be checked: the new class of a replacement is planned without its prior state, so
// a check there would find the class it replaces (still there at plan) and refuse its own name.
func (r *classResource) checkRename(ctx context.Context, plan, state *classResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !isKnown(plan.Name) || plan.Name.Equal(state.Name) ||
		!plan.ParentID.Equal(state.ParentID) || !plan.SubAppID.Equal(state.SubAppID) {
		return diags // no rename, or a replacement
	}
	tree, known, err := r.planTree(ctx, state.SubAppID)
	switch {
	case !known:
		return diags
	case err != nil:
		diags.Append(apiErrorDiagnostic("Unable to Look Up the VOD Classes", err))
		return diags
	}
	self, found := tree.class(state.ClassID.ValueInt64())
	if !found {
		return diags // deleted outside Terraform: the apply says so
	}
	name := plan.Name.ValueString()
	for _, sibling := range tree.children(self.ParentID) {
		if sibling.ClassID != self.ClassID && sibling.Name == name {
			diags.AddAttributeError(path.Root("name"), "VOD Class Name Already Used",
				fmt.Sprintf("Class %d cannot be renamed to %q: class %d %s already has that name, and VOD refuses two "+
					"classes of the same name under one parent. Choose another name. If class %d is renamed in this "+
					"configuration too, apply its rename first (terraform apply -target=<its address>).",
					self.ClassID, name, sibling.ClassID, tree.describeLevel(tree.path(self.ParentID), self.ParentID),
					sibling.ClassID))
			return diags
		}
	}
	return diags
}

// describeApplication names a pinned sub_app_id for messages.
func describeApplication(subAppID types.Int64) string {
	if isKnown(subAppID) {
		return fmt.Sprintf("application %d", subAppID.ValueInt64())
	}
	return "the account's default application"
}

func (r *classResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan classResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	op, diags := r.data.newOperation(ctx, "create", "The class cannot be created", plan.Timeouts.Create, defaultClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.SubAppID.IsUnknown() {
		plan.SubAppID = r.data.defaultSubAppID() // the provider's default applies at create only
	}
	ctx, cancel := op.start(ctx)
	defer cancel()

	parentID := vod.TopLevelParentID
	if isKnown(plan.ParentID) {
		parentID = plan.ParentID.ValueInt64()
	}
	what := fmt.Sprintf("creating class %q (CreateClass)", plan.Name.ValueString())
	if op.endedBecause(ctx) != "" {
		resp.Diagnostics.Append(op.failed(ctx, "Unable to Create VOD Class", what, "Nothing was created.", ctx.Err()))
		return
	}
	createCtx, cancelCreate := criticalStep(ctx, classCreateGrace)
	defer cancelCreate()
	created, err := op.client.CreateClass(createCtx, &vod.CreateClassRequest{
		ParentID:  parentID,
		ClassName: plan.Name.ValueString(),
		SubAppID:  pinnedSubAppID(plan.SubAppID),
	})
	if err != nil {
		resp.Diagnostics.Append(op.failed(ctx, "Unable to Create VOD Class", what,
			"The class may have been created all the same: if the next apply is refused with "+
				"FailedOperation.ClassNameDuplicate, import the class (the tencentvod_classes data source lists its class_id).", err))
		return
	}
	plan.setClassID(created.ClassID)
	if plan.Level.IsUnknown() {
		// Terraform plans again at apply, once the parent exists, so ModifyPlan has looked its level up;
		// should it not have, the next refresh reads the level.
		plan.Level = types.Int64Null()
	}
	resp.Diagnostics.Append(classState{&resp.State, resp.Identity}.save(ctx, &plan)...)
}

func (m *classResourceModel) setClassID(id int64) {
	m.ClassID = types.Int64Value(id)
	m.ID = types.StringValue(strconv.FormatInt(id, 10))
}

func (r *classResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state classResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	saved := classState{&resp.State, resp.Identity}
	client, notKnown := r.data.Client("The class cannot be refreshed during plan")
	if notKnown.HasError() {
		// Only during a plan whose provider block depends on values known after apply: failing would fail
		// every plan of such a configuration, so the prior state stands until the next refresh.
		resp.Diagnostics.AddWarning("VOD Class Not Refreshed",
			fmt.Sprintf("The class %s was not read from VOD during this plan, because %s. The plan uses the state "+
				"as last saved; the next plan or refresh reads the class once those arguments are known.",
				state.ID.ValueString(), r.data.describeUnknown()))
		resp.Diagnostics.Append(saved.saveIdentity(ctx, &state)...) // the prior state stands, as read
		return
	}
	ctx, cancel := context.WithTimeout(withLogging(ctx), defaultClassReadTimeout)
	defer cancel()

	classes, err := client.DescribeAllClass(ctx, pinnedSubAppID(state.SubAppID))
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Unable to Read VOD Class", err))
		return
	}
	class, found := newClassTree(classes.ClassInfoSet).class(state.ClassID.ValueInt64())
	if !found {
		// Deleted outside Terraform: forget it so that the next plan creates it again. An import has no
		// name yet, and Terraform itself reports that the class to import does not exist.
		if !state.Name.IsNull() {
			resp.Diagnostics.AddWarning("VOD Class No Longer Exists",
				fmt.Sprintf("The class %d (%q) no longer exists in VOD; it was removed from the state and will be "+
					"created again on the next apply.", state.ClassID.ValueInt64(), state.Name.ValueString()))
		}
		resp.Diagnostics.Append(saved.saveIdentity(ctx, &state)...)
		resp.State.RemoveResource(ctx)
		return
	}
	state.flatten(class)
	resp.Diagnostics.Append(saved.save(ctx, &state)...)
}

// flatten takes what DescribeAllClass says of the class. The application cannot be read back: it stays
// what state pinned (null after an import without one: what the calls sent).
func (m *classResourceModel) flatten(c vod.ClassInfo) {
	m.setClassID(c.ClassID)
	m.Name = types.StringValue(c.Name)
	m.ParentID = parentIDValue(c.ParentID)
	m.Level = types.Int64Value(c.Level)
	if m.SubAppID.IsUnknown() {
		m.SubAppID = types.Int64Null()
	}
}

// parentIDValue is a ParentId as Terraform sees it: null at the top of the tree.
func parentIDValue(id int64) types.Int64 {
	if id == vod.TopLevelParentID {
		return types.Int64Null()
	}
	return types.Int64Value(id)
}

func (r *classResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state classResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	op, diags := r.data.newOperation(ctx, "update", "The class cannot be updated", plan.Timeouts.Update, defaultClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := op.start(ctx)
	defer cancel()

	if !plan.Name.Equal(state.Name) {
		err := op.client.ModifyClass(ctx, &vod.ModifyClassRequest{
			ClassID:   state.ClassID.ValueInt64(),
			ClassName: plan.Name.ValueString(),
			SubAppID:  pinnedSubAppID(state.SubAppID),
		})
		if errors.Is(err, vod.ErrClassNotFound) {
			resp.Diagnostics.AddError("VOD Class No Longer Exists",
				fmt.Sprintf("Class %d was deleted outside Terraform since the last refresh, so it cannot be renamed. "+
					"Run terraform apply again: its refresh removes the class from the state and creates it anew.\n\n%s",
					state.ClassID.ValueInt64(), apiErrorDiagnostic("", err).Detail()))
			return
		}
		if err != nil {
			resp.Diagnostics.Append(op.failed(ctx, "Unable to Rename VOD Class",
				fmt.Sprintf("renaming class %d to %q (ModifyClass)", state.ClassID.ValueInt64(), plan.Name.ValueString()),
				"The name may or may not have changed; the next plan shows it.", err))
			return
		}
	}
	resp.Diagnostics.Append(classState{&resp.State, resp.Identity}.save(ctx, &plan)...)
}

func (r *classResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state classResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	op, diags := r.data.newOperation(ctx, "delete", "The class cannot be deleted", state.Timeouts.Delete, defaultClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := op.start(ctx)
	defer cancel()

	err := op.client.DeleteClass(ctx, &vod.DeleteClassRequest{
		ClassID:  state.ClassID.ValueInt64(),
		SubAppID: pinnedSubAppID(state.SubAppID),
	})
	switch {
	case err == nil, errors.Is(err, vod.ErrClassNotFound):
		return
	case errors.Is(err, vod.ErrClassNotEmpty) && op.endedBecause(ctx) == "":
		resp.Diagnostics.Append(classNotEmpty(ctx, op.client, &state, err))
		return
	}
	// DeleteClass documents no "class not found" error: a class already gone may be answered with
	// InvalidParameterValue.ClassId, which also means a malformed ID. The class is deleted if it is not
	// listed any more.
	if op.endedBecause(ctx) == "" {
		if tree, lookupErr := describeClassTree(ctx, op.client, state.SubAppID); lookupErr == nil {
			if _, found := tree.class(state.ClassID.ValueInt64()); !found {
				return
			}
		}
	}
	resp.Diagnostics.Append(op.failed(ctx, "Unable to Delete VOD Class",
		fmt.Sprintf("deleting class %d (DeleteClass)", state.ClassID.ValueInt64()),
		"The class may or may not have been deleted; it stays in the state, and the next destroy tries again.", err))
}

// describeClassTree lists the classes of the application that sub_app_id pins.
func describeClassTree(ctx context.Context, client *vod.Client, subAppID types.Int64) (classTree, error) {
	classes, err := client.DescribeAllClass(ctx, pinnedSubAppID(subAppID))
	if err != nil {
		return classTree{}, err
	}
	return newClassTree(classes.ClassInfoSet), nil
}

// classNotEmpty explains a refused delete: what the class still holds (as far as the class listing
// tells: subclasses by name; media are not listed there) and what to do about it.
func classNotEmpty(ctx context.Context, client *vod.Client, state *classResourceModel, err error) diag.Diagnostic {
	id := state.ClassID.ValueInt64()
	holds := "media files or subclasses"
	if tree, lookupErr := describeClassTree(ctx, client, state.SubAppID); lookupErr == nil {
		if subclasses := tree.children(id); len(subclasses) > 0 {
			holds = describeNames(fmt.Sprintf("%d subclass(es)", len(subclasses)), subclasses)
		} else {
			holds = "media files"
		}
	}
	var detail strings.Builder
	fmt.Fprintf(&detail, "VOD deletes only a class that holds no media and no subclasses, and class %d (%q) still "+
		"holds %s.\n\n", id, state.Name.ValueString(), holds)
	detail.WriteString("Move its media to another class (the class_id of their tencentvod_media, or in the console) " +
		"or delete them, and delete its subclasses, then apply again. If the class is being replaced (a new " +
		"parent_id or sub_app_id, or a parent being replaced) while it holds media, add lifecycle { create_before_destroy " +
		"= true } to it: the new class is then created first, the media whose class_id refers to it move to the new " +
		"class, and the old class is empty when it is deleted.\n\n")
	detail.WriteString(apiErrorDiagnostic("", err).Detail())
	return diag.NewErrorDiagnostic("VOD Class Not Empty", detail.String())
}

func (r *classResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, diags := classImportTarget(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Importing records the application the class is read from; while the provider's configuration is
	// unknown, so is its default application, and an unknown value cannot go into the imported state.
	if _, diags := r.data.Client(fmt.Sprintf("tencentvod_class %d cannot be imported during plan", id.classID)); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	if id.subAppID.IsNull() {
		// The provider's default applies now, once; state keeps it (or null) for every later call.
		id.subAppID = r.data.defaultSubAppID()
	}
	resp.Diagnostics.Append(setImportedClass(ctx, &resp.State, id.classID, id.subAppID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, &classIdentityModel{
		ClassID:  types.Int64Value(id.classID),
		SubAppID: id.subAppID,
	})...)
}

// setImportedClass sets what an import knows of a class before Read fills in the rest; the list
// resource builds its objects the same way.
func setImportedClass(ctx context.Context, target attributeSetter, classID int64, subAppID types.Int64) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(target.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(classID, 10))...)
	diags.Append(target.SetAttribute(ctx, path.Root("class_id"), classID)...)
	diags.Append(target.SetAttribute(ctx, path.Root("sub_app_id"), subAppID)...)
	return diags
}

// classImportID is a parsed import ID.
type classImportID struct {
	classID  int64
	subAppID types.Int64
}

const classImportIDForms = "Use <class_id> or <sub_app_id>/<class_id>, for example 12 or 1500000000/12."

// builtInClassNotManaged says why class 0 cannot be imported.
const builtInClassNotManaged = "class 0 is the built-in class (SystemDefault) that every application has; it " +
	"cannot be renamed or deleted, so it cannot be managed. Media without a class_id are in it."

// parseClassImportID accepts "<class_id>" and "<sub_app_id>/<class_id>".
func parseClassImportID(id string) (classImportID, diag.Diagnostics) {
	var diags diag.Diagnostics
	parsed := classImportID{subAppID: types.Int64Null()}
	classPart := id
	if subApp, rest, hasSubApp := strings.Cut(id, "/"); hasSubApp {
		n, err := strconv.ParseUint(subApp, 10, 63)
		if err != nil || n == 0 {
			diags.AddError("Invalid Import ID", fmt.Sprintf("Import ID %q: the part before \"/\" must be a VOD "+
				"application ID (a positive number). %s", id, classImportIDForms))
			return parsed, diags
		}
		parsed.subAppID = types.Int64Value(int64(n))
		classPart = rest
	}
	n, err := strconv.ParseInt(classPart, 10, 64)
	switch {
	case err != nil || n < 0:
		diags.AddError("Invalid Import ID", fmt.Sprintf("Import ID %q: %q is not a class ID (a positive "+
			"number). %s", id, classPart, classImportIDForms))
	case n == vod.DefaultClassID:
		diags.AddError("Invalid Import ID", fmt.Sprintf("Import ID %q: %s", id, builtInClassNotManaged))
	}
	parsed.classID = n
	return parsed, diags
}

// parentIDValidator refuses parent IDs no class can have. The API's own top-level parent (-1) and the built-in
// class 0 are what users coming from the API or the console try, so the message says what to write instead.
type parentIDValidator struct{}

var _ validator.Int64 = parentIDValidator{}

func (parentIDValidator) Description(context.Context) string {
	return "value must be the class_id of a class, at least 1"
}

func (v parentIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v parentIDValidator) ValidateInt64(ctx context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueInt64() >= 1 {
		return
	}
	why := "leave parent_id unset (or null) for a top-level class."
	if req.ConfigValue.ValueInt64() == vod.DefaultClassID {
		why = fmt.Sprintf("class %d is the built-in class (SystemDefault), which cannot hold subclasses; ", vod.DefaultClassID) + why
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
		fmt.Sprintf("Attribute %s %s, got: %d: %s", req.Path, v.Description(ctx), req.ConfigValue.ValueInt64(), why))
}
