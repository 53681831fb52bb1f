package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ datasource.DataSource              = (*classesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*classesDataSource)(nil)
)

const classesReadTimeout = 2 * time.Minute

// classesDataSource reads the class tree of an application, and finds a class by its path of names.
type classesDataSource struct {
	data *providerData
}

// classesDataSourceModel maps the data source's schema.
type classesDataSourceModel struct {
	Path     types.List  `tfsdk:"path"`
	SubAppID types.Int64 `tfsdk:"sub_app_id"`

	ClassID types.Int64 `tfsdk:"class_id"`
	Classes types.List  `tfsdk:"classes"`
}

// classObjectType is one element of classes.
var classObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"class_id":     types.Int64Type,
	"level":        types.Int64Type,
	"name":         types.StringType,
	"parent_id":    types.Int64Type,
	"path":         types.ListType{ElemType: types.StringType},
	"subclass_ids": types.ListType{ElemType: types.Int64Type},
}}

// NewClassesDataSource returns the tencentvod_classes data source.
func NewClassesDataSource() datasource.DataSource {
	return &classesDataSource{}
}

func (d *classesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_classes"
}

func (d *classesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The media classes (categories) of a VOD application (`DescribeAllClass`): the whole " +
			"tree in `classes`, and, with `path`, the `class_id` of one class found by its names, so that media can " +
			"be filed by name:\n\n" +
			"```terraform\n" +
			"data \"tencentvod_classes\" \"action\" {\n" +
			"  path = [\"Movies\", \"Action/Adventure\"]\n" +
			"}\n\n" +
			"resource \"tencentvod_media\" \"trailer\" {\n" +
			"  source   = \"trailer.mp4\"\n" +
			"  class_id = data.tencentvod_classes.action.class_id\n" +
			"}\n" +
			"```\n\n" +
			"Every application has the built-in class `0`, named `SystemDefault`, at the top level: media without " +
			"a class are in it. It is listed in `classes`, and `path = [\"SystemDefault\"]` finds it.",
		Attributes: map[string]schema.Attribute{
			"path": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: fmt.Sprintf("Names of the class to find, from the top level down, for example "+
					"`[\"Movies\", \"Action/Adventure\"]`: a list, because a name may contain `/`. 1 to %d names, "+
					"compared exactly. A name that does not exist fails the read, with the names that exist at that "+
					"level. The read happens at plan unless the data source depends on something still to change: "+
					"for a class created in the same configuration, use the `class_id` of its `tencentvod_class` "+
					"(or add `depends_on`).", vod.MaxClassLevels),
				Validators: []validator.List{
					listvalidator.SizeBetween(1, vod.MaxClassLevels),
					listvalidator.NoNullValues(),
					listvalidator.ValueStringsAre(stringvalidator.UTF8LengthBetween(1, vod.MaxClassNameLength),
						validators.NoControlCharacters()),
				},
			},
			"sub_app_id": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "VOD application ID whose classes are read. Defaults to the provider's `sub_app_id` " +
					"(or `TENCENTVOD_SUB_APP_ID`) on every read; without either, the account's default application.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"class_id": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "ID of the class that `path` names, for the `class_id` of `tencentvod_media` or the " +
					"`parent_id` of `tencentvod_class`; null without `path`.",
			},
			"classes": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Every class of the application, each parent before its subclasses, siblings by " +
					"class ID, the built-in class `0` included.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"class_id": schema.Int64Attribute{Computed: true, MarkdownDescription: "ID of the class."},
						"level": schema.Int64Attribute{Computed: true, MarkdownDescription: fmt.Sprintf(
							"Depth of the class: `0` at the top level, at most `%d`.", deepestClassLevel)},
						"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the class."},
						"parent_id": schema.Int64Attribute{Computed: true,
							MarkdownDescription: "`class_id` of the parent class; null for a top-level class."},
						"path": schema.ListAttribute{Computed: true, ElementType: types.StringType,
							MarkdownDescription: "Names from the top-level class down to this one: what `path` takes."},
						"subclass_ids": schema.ListAttribute{Computed: true, ElementType: types.Int64Type,
							MarkdownDescription: "IDs of the classes directly under this one."},
					},
				},
			},
		},
	}
}

func (d *classesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredData("Data Source", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *classesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config classesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	client, diags := d.data.Client("Data source tencentvod_classes cannot be read during plan")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(withLogging(ctx), classesReadTimeout)
	defer cancel()

	classes, err := client.DescribeAllClass(ctx, optionalSubAppID(config.SubAppID))
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Unable to Read VOD Classes", err))
		return
	}
	tree := newClassTree(classes.ClassInfoSet)
	config.Classes, diags = flattenClassTree(ctx, tree)
	resp.Diagnostics.Append(diags...)
	config.ClassID = types.Int64Null()
	if !config.Path.IsNull() {
		config.ClassID, diags = lookupClassPath(ctx, tree, config.Path)
		resp.Diagnostics.Append(diags...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// classCreatedHereHint is what to do when the class is missing only because this configuration creates it:
// a data source without dependencies is read at plan, before the apply creates the class.
const classCreatedHereHint = "If the class is created by a tencentvod_class in this configuration, reference its " +
	"class_id (tencentvod_class.<name>.class_id) instead, or give this data source depends_on = " +
	"[tencentvod_class.<name>] so that it is read after the class is created."

// lookupClassPath finds the class that path names.
func lookupClassPath(ctx context.Context, tree classTree, pathValue types.List) (types.Int64, diag.Diagnostics) {
	var names []string
	diags := pathValue.ElementsAs(ctx, &names, false)
	if diags.HasError() {
		return types.Int64Null(), diags
	}
	class, err := tree.lookup(names)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "VOD Class Not Found",
			fmt.Sprintf("path %s: %s.\n\n%s", quotedPath(names), err, classCreatedHereHint))
		return types.Int64Null(), diags
	}
	return types.Int64Value(class.ClassID), diags
}

// flattenClassTree lists the classes as the classes attribute shows them.
func flattenClassTree(ctx context.Context, tree classTree) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	var elements []attr.Value
	for _, c := range tree.preorder() {
		path, d := types.ListValueFrom(ctx, types.StringType, tree.path(c.ClassID))
		diags.Append(d...)
		subclasses := make([]attr.Value, 0, len(c.SubClassIDSet))
		for _, id := range c.SubClassIDSet {
			subclasses = append(subclasses, types.Int64Value(id))
		}
		object, d := types.ObjectValue(classObjectType.AttrTypes, map[string]attr.Value{
			"class_id":     types.Int64Value(c.ClassID),
			"level":        types.Int64Value(c.Level),
			"name":         types.StringValue(c.Name),
			"parent_id":    parentIDValue(c.ParentID),
			"path":         path,
			"subclass_ids": types.ListValueMust(types.Int64Type, subclasses),
		})
		diags.Append(d...)
		elements = append(elements, object)
	}
	list, d := types.ListValue(classObjectType, elements)
	diags.Append(d...)
	return list, diags
}
