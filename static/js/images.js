// Images in a post (form[data-writing] with input[data-images]): paste or drop images
// onto the writing box, or pick them, and they join the one <input type="file" multiple>
// (through a DataTransfer), listed as thumbnails with a description each (from the file's
// name, editable) and a Remove button. The descriptions fill the form's "Describe the
// images" box, one line per image, as the server reads it. Without JavaScript the member
// picks several files at once and writes the lines themselves.
(function () {
  "use strict";

  const TYPES = ["image/jpeg", "image/png", "image/webp"];

  function describe(name) {
    const stem = name.replace(/\.[^.]+$/, "").replace(/[-_.]+/g, " ").trim();
    return (stem || gettext("Image")).slice(0, 200);
  }

  function megabytes(bytes) {
    return interpolate(gettext("%(size)s MB"), { size: (bytes / (1024 * 1024)).toFixed(1) }, true);
  }

  function setUp(form) {
    const input = form.querySelector("input[type=file][data-images]");
    if (!input || input.dataset.imagesReady || typeof DataTransfer === "undefined") return;
    input.dataset.imagesReady = "on";
    const box = form.querySelector("textarea[name=body]");
    const altBox = form.querySelector("textarea[name=image_alt]");
    const maxFiles = Number(input.dataset.maxFiles) || 4;
    const maxBytes = Number(input.dataset.maxBytes) || 5 * 1024 * 1024;
    // Lines the server sent back (a form with an error): the images come back in order.
    const earlierLines = altBox ? altBox.value.split("\n").filter((line) => line.trim()) : [];
    const chosen = []; // {file, alt, url}

    const altField = altBox && altBox.closest(".field");
    if (altField && !altField.classList.contains("field--error")) altField.hidden = true;

    const panel = document.createElement("div");
    panel.className = "image-list";
    panel.innerHTML =
      '<ul class="image-list__items" data-image-items></ul>' +
      '<p class="error image-list__error" data-image-error hidden></p>' +
      '<p class="visually-hidden" role="status" aria-live="polite" data-image-status></p>';
    const field = input.closest(".field") || input;
    field.after(panel);
    const list = panel.querySelector("[data-image-items]");
    const errorLine = panel.querySelector("[data-image-error]");
    const status = panel.querySelector("[data-image-status]");

    const hint = document.createElement("p");
    hint.className = "image-drop-hint";
    hint.textContent = interpolate(gettext("Drop images to attach them (up to %(count)s)."), { count: maxFiles }, true);
    hint.hidden = true;
    const boxField = box ? box.closest(".field") || box : field;
    boxField.after(hint);

    function announce(text) {
      status.textContent = "";
      window.setTimeout(() => { status.textContent = text; }, 50);
    }

    function countText() {
      return interpolate(ngettext("%(count)s image attached.", "%(count)s images attached.", chosen.length),
        { count: chosen.length }, true);
    }

    function sync() {
      const transfer = new DataTransfer();
      for (const item of chosen) transfer.items.add(item.file);
      input.files = transfer.files;
      if (altBox) {
        altBox.value = chosen.map((item) => item.alt.replace(/\s+/g, " ").trim()).join("\n");
      }
    }

    function render() {
      list.replaceChildren();
      chosen.forEach((item, index) => {
        const li = document.createElement("li");
        li.className = "image-list__item";
        const img = document.createElement("img");
        if (item.url) img.src = item.url;
        img.alt = "";
        img.width = 64;
        img.height = 64;
        img.className = "image-list__thumb";
        const label = document.createElement("label");
        const id = input.id + "-alt-" + index;
        label.htmlFor = id;
        label.textContent = interpolate(gettext("Description of image %(number)s (%(name)s)"),
          { number: index + 1, name: item.file.name }, true);
        const alt = document.createElement("input");
        alt.type = "text";
        alt.id = id;
        alt.value = item.alt;
        alt.maxLength = 200;
        alt.dataset.imageAlt = "";
        alt.addEventListener("input", () => { item.alt = alt.value; sync(); });
        const text = document.createElement("div");
        text.className = "image-list__text";
        text.append(label, alt);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button--small button--secondary";
        remove.textContent = gettext("Remove");
        const hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " " + item.file.name;
        remove.append(hidden);
        remove.addEventListener("click", () => removeAt(index));
        li.append(img, text, remove);
        list.append(li);
      });
    }

    // A data: address, as the site's content security policy allows for images.
    function preview(item) {
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        item.url = reader.result;
        const index = chosen.indexOf(item);
        const thumb = list.children[index] && list.children[index].querySelector("img");
        if (thumb) thumb.src = item.url;
      });
      reader.readAsDataURL(item.file);
    }

    function refuse(messages) {
      errorLine.textContent = messages.join(" ");
      errorLine.hidden = !messages.length;
    }

    function add(files) {
      const refused = [];
      let added = 0;
      for (const file of files) {
        if (!TYPES.includes(file.type)) {
          refused.push(interpolate(gettext("“%(name)s” is not a JPEG, PNG or WebP image."), { name: file.name }, true));
        } else if (file.size > maxBytes) {
          refused.push(interpolate(gettext("“%(name)s” is %(size)s; the limit is %(limit)s."),
            { name: file.name, size: megabytes(file.size), limit: megabytes(maxBytes) }, true));
        } else if (chosen.length >= maxFiles) {
          refused.push(interpolate(
            ngettext("“%(name)s” was left out: a post takes at most %(count)s image.",
              "“%(name)s” was left out: a post takes at most %(count)s images.", maxFiles),
            { name: file.name, count: maxFiles }, true));
        } else {
          const line = earlierLines[chosen.length];
          const item = { file: file, alt: line || describe(file.name), url: "" };
          chosen.push(item);
          preview(item);
          added += 1;
        }
      }
      sync();
      render();
      refuse(refused);
      const said = added
        ? interpolate(ngettext("Added %(count)s image.", "Added %(count)s images.", added), { count: added }, true) + " "
        : "";
      announce(said + refused.join(" ") + " " + countText());
    }

    function removeAt(index) {
      const [item] = chosen.splice(index, 1);
      sync();
      render();
      refuse([]);
      announce(interpolate(gettext("Removed “%(name)s”."), { name: item.file.name }, true) + " " + countText());
      const buttons = list.querySelectorAll("button");
      (buttons[Math.min(index, buttons.length - 1)] || input).focus();
    }

    // The picker replaces the input's files; keep what was there and add the new ones.
    input.addEventListener("change", () => {
      const picked = [...input.files];
      add(picked);
    });

    function imageFiles(transfer) {
      return transfer ? [...transfer.files] : [];
    }

    if (box) {
      box.addEventListener("paste", (event) => {
        const files = imageFiles(event.clipboardData);
        if (!files.length) return; // text pastes as text
        event.preventDefault();
        add(files);
      });
    }

    let depth = 0;
    function carriesFiles(event) {
      return event.dataTransfer && [...event.dataTransfer.types].includes("Files");
    }
    function showHint(on) {
      hint.hidden = !on;
      form.classList.toggle("is-dragover", on);
    }
    form.addEventListener("dragenter", (event) => {
      if (!carriesFiles(event)) return;
      depth += 1;
      showHint(true);
    });
    form.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      showHint(true);
    });
    form.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) showHint(false);
    });
    form.addEventListener("drop", (event) => {
      depth = 0;
      showHint(false);
      if (!carriesFiles(event)) return;
      event.preventDefault();
      add(imageFiles(event.dataTransfer));
    });
  }

  function setUpAll() {
    document.querySelectorAll("form[data-writing]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
