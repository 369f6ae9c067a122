package apps

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/lvtgo/livetemplate"
)

//go:embed layout.html list.html new.html order.html
var files embed.FS

// Order is one order.
type Order struct {
	ID     int
	Item   string
	Qty    int
	Status string // "open", "paid" or "cancelled"
}

// quote:orders
// Orders are the orders of a session group: every page shows the same.
type Orders struct {
	Items  []Order
	NextID int
}

// orderForm is what the new-order form sends.
type orderForm struct {
	Item string `lvt:"item"`
	Qty  int    `lvt:"qty"`
}

func (o *Orders) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "place":
		var f orderForm
		if err := ctx.Bind(&f); err != nil {
			return err
		}
		if f.Item = strings.TrimSpace(f.Item); f.Item == "" {
			return livetemplate.FieldError{Field: "item", Message: "What would you like?"}
		}
		o.NextID++
		o.Items = append(o.Items, Order{ID: o.NextID, Item: f.Item, Qty: max(f.Qty, 1), Status: "open"})
		ctx.Flash("info", fmt.Sprintf("Order #%d placed.", o.NextID)) // shown on the page the redirect opens
		return ctx.Redirect(fmt.Sprintf("/orders/%d", o.NextID))
	case "cancel":
		order, err := o.open(ctx)
		if err != nil {
			return err
		}
		order.Status = "cancelled"
		ctx.Flash("info", fmt.Sprintf("Order #%d cancelled.", order.ID)) // shown on this page
		return nil
	case "pay":
		order, err := o.open(ctx)
		if err != nil {
			return err
		}
		// Another site: allowed by WithRedirectHosts("pay.example"); loaded in full.
		return ctx.Redirect(fmt.Sprintf("https://pay.example/checkout?order=%d", order.ID))
	default:
		return livetemplate.ErrUnknownAction
	}
}

// quote:end

// open returns the open order the action names.
func (o *Orders) open(ctx *livetemplate.ActionContext) (*Order, error) {
	id, err := ctx.GetInt("id")
	if err != nil {
		return nil, err
	}
	if order := o.Get(id); order != nil && order.Status == "open" {
		return order, nil
	}
	return nil, livetemplate.UserErrorf("Order #%d is not open.", id)
}

// Get returns the order id, or nil: {{with .orders.Get .page.ID}}.
func (o *Orders) Get(id int) *Order {
	for i := range o.Items {
		if o.Items[i].ID == id {
			return &o.Items[i]
		}
	}
	return nil
}

// List returns the orders of a status, or all of them for "".
func (o *Orders) List(status string) []Order {
	var out []Order
	for _, order := range o.Items {
		if status == "" || order.Status == status {
			out = append(out, order)
		}
	}
	return out
}

// quote:filter
// Filter is each tab's own: the status the list shows, from the URL. Its
// Mount runs for every new page, and again when the page navigates to
// itself with a new query (/?status=open).
type Filter struct{ Status string }

func (f *Filter) Mount(ctx *livetemplate.ActionContext) error {
	switch s := ctx.Request().URL.Query().Get("status"); s {
	case "open", "paid", "cancelled":
		f.Status = s
	}
	return nil
}

func (f *Filter) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// OrderPage is each tab's own: the order /orders/{id} shows.
type OrderPage struct{ ID int }

func (p *OrderPage) Mount(ctx *livetemplate.ActionContext) error {
	id, err := strconv.Atoi(ctx.Request().PathValue("id"))
	if err != nil || id < 1 {
		return ctx.Redirect("/") // /orders/abc: the page load is answered 303 See Other
	}
	p.ID = id
	return nil
}

func (p *OrderPage) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// quote:end

// quote:mux
// NewMux mounts the shop's three pages on app and returns the mux that
// serves them. Every page shows the group's orders, declared alike: one
// state, so a change made on one page shows on the others at once.
func NewMux(app *livetemplate.App) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mount := func(pattern, name string, own ...livetemplate.Store) error {
		tmpl, err := livetemplate.New(name, livetemplate.WithFS(files, "layout.html", name))
		if err != nil {
			return err
		}
		stores := append([]livetemplate.Store{livetemplate.Named("orders", &Orders{})}, own...)
		h, err := app.Mount(tmpl, stores...)
		if err != nil {
			return err
		}
		mux.Handle(pattern, h)
		return nil
	}
	err := errors.Join(
		mount("/{$}", "list.html", livetemplate.Named("filter", livetemplate.PerConnection(&Filter{}))),
		mount("/orders/new", "new.html"),
		mount("/orders/{id}", "order.html", livetemplate.Named("page", livetemplate.PerConnection(&OrderPage{}))),
	)
	if err != nil {
		return nil, err
	}
	return mux, nil
}

// quote:end

// quote:main
func run(ctx context.Context, addr string) error {
	// Actions may send pages to this site's paths, and to the payment site.
	app, err := livetemplate.NewApp(livetemplate.WithRedirectHosts("pay.example"))
	if err != nil {
		return err
	}
	mux, err := NewMux(app)
	if err != nil {
		return errors.Join(err, app.Close())
	}
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, mux), app)
}

// quote:end
