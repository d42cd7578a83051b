// The dashboard's only script of its own: keep the address bar in step with a page's filters (so a view can be
// bookmarked or shared) without a navigation.
window.sldbench = {
    setUrl: function (url) {
        if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
    }
};
