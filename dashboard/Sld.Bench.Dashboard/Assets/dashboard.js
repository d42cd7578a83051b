// The dashboard's only script of its own: keep the address bar in step with a page's filters (so a view can be
// bookmarked or shared) without a navigation, and mark the page interactive once its circuit is up.
window.sldbench = {
    ready: function () {
        document.body.setAttribute("data-interactive", "true");
    },
    setUrl: function (url) {
        if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
    }
};
