// The header's menu on narrow screens: a button that shows or hides the links (aria-expanded).
// Without this script the button stays hidden and every link is shown, wrapped.
(function () {
  const button = document.querySelector(".menu-toggle button");
  const menu = document.getElementById("menu-principal");
  if (!button || !menu) return;
  document.documentElement.classList.add("has-menu");
  button.hidden = false;
  const narrow = window.matchMedia("(max-width: 900px)");
  const set = (open) => {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", () => set(false));
  set(false);
})();
