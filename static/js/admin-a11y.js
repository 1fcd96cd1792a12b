"use strict";
/*
 * Accessible names for the admin's autocomplete boxes (agency, system,
 * policies, sources...). Select2 4.0, as Django ships it, gives the box the
 * chosen value as its only name, none at all to a multiple choice or to its
 * search field, and puts its "clear" cross directly in a list. This names each
 * from the field's <label> and tidies the list, again after every change
 * (Select2 redraws them). Loaded as a file from templates/admin/base_site.html
 * (the site's CSP allows no inline script); without JavaScript the admin shows
 * plain, labelled <select> elements and needs none of this.
 */
(function () {
    function labelOf(select) {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        if (label && !label.id) {
            label.id = `${select.id}-label`;
        }
        return label;
    }

    function name(container) {
        const select = container.previousElementSibling;
        if (!select || select.tagName !== "SELECT") {
            return;
        }
        const label = labelOf(select);
        const text = label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
        const box = container.querySelector(".select2-selection");
        const shown = container.querySelector(".select2-selection__rendered");
        if (!box || !shown) {
            return;
        }
        if (box.classList.contains("select2-selection--single")) {
            // Its name: the field's label, then the value chosen.
            const ids = label ? `${label.id} ${shown.id}` : shown.id;
            if (box.getAttribute("aria-labelledby") !== ids) {
                box.setAttribute("aria-labelledby", ids);
            }
            // The value shown is part of the box's name, not a read-only
            // text field of its own (which would need a name too).
            if (shown.hasAttribute("role")) {
                shown.removeAttribute("role");
                shown.removeAttribute("aria-readonly");
            }
        } else {
            if (label && box.getAttribute("aria-labelledby") !== label.id) {
                box.setAttribute("aria-labelledby", label.id);
            }
            if (shown.getAttribute("role") !== "list") {
                shown.setAttribute("role", "list");
            }
            const search = container.querySelector(".select2-search__field");
            if (search && search.getAttribute("aria-label") !== `Search ${text}`) {
                search.setAttribute("aria-label", `Search ${text}`);
            }
        }
        // The "clear" cross is for the mouse only (the keyboard clears with
        // Backspace); in the list it is not an item.
        for (const clear of container.querySelectorAll(".select2-selection__clear")) {
            clear.setAttribute("aria-hidden", "true");
        }
    }

    function nameAll() {
        for (const container of document.querySelectorAll("span.select2-container")) {
            name(container);
        }
    }

    document.addEventListener("DOMContentLoaded", function () {
        nameAll();
        // Select2 starts on jQuery's ready, after this, and redraws on change:
        // name the boxes again whenever their content changes.
        new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
    });
})();
