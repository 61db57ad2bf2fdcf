// Unit tests of the progress beacon: `node --test js/widgets/test/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import beacon, { PROGRESS_EVENT, progressDetail } from "../progress_beacon.js";

// The parts of an anywidget model the beacon uses: custom messages from the kernel.
function fakeModel() {
  const handlers = new Map();
  return {
    on(name, handler) {
      handlers.set(name, [...(handlers.get(name) ?? []), handler]);
    },
    off(name, handler) {
      handlers.set(name, (handlers.get(name) ?? []).filter((h) => h !== handler));
    },
    send(content) {
      for (const handler of handlers.get("msg:custom") ?? []) handler(content, []);
    },
    listeners: (name) => (handlers.get(name) ?? []).length,
  };
}

// The widget's element; node has no DOM tree, so the test listens on the element itself and
// checks the flags that make the browser carry the event up to the notebook panel.
function fakeElement() {
  const el = new EventTarget();
  el.style = {};
  const heard = [];
  el.addEventListener(PROGRESS_EVENT, (event) => heard.push(event));
  return { el, heard };
}

describe("progressDetail", () => {
  test("keeps a quiz report", () => {
    assert.deepEqual(progressDetail({ kind: "quiz", key: "2 + 2?", correct: true }), {
      kind: "quiz",
      key: "2 + 2?",
      correct: true,
    });
  });

  test("drops anything that is not a complete quiz report", () => {
    for (const content of [
      null,
      "quiz",
      {},
      { kind: "task", key: "Task 1", correct: true },
      { kind: "quiz", key: "", correct: true },
      { kind: "quiz", key: "q", correct: "yes" },
      { kind: "quiz", correct: false },
    ]) {
      assert.equal(progressDetail(content), null, JSON.stringify(content));
    }
  });

  test("passes no other fields on", () => {
    const detail = progressDetail({ kind: "quiz", key: "q", correct: false, extra: 1 });
    assert.deepEqual(Object.keys(detail).sort(), ["correct", "key", "kind"]);
  });
});

describe("render", () => {
  test("hides the element and dispatches one bubbling, composed event per report", () => {
    const model = fakeModel();
    const { el, heard } = fakeElement();
    beacon.render({ model, el });
    assert.equal(el.style.display, "none");

    model.send({ kind: "quiz", key: "Which misfit is largest?", correct: false });
    model.send({ kind: "quiz", key: "Which misfit is largest?", correct: true });
    model.send({ kind: "something else" });

    assert.equal(heard.length, 2);
    assert.ok(heard.every((event) => event.bubbles && event.composed));
    assert.deepEqual(
      heard.map((event) => event.detail.correct),
      [false, true],
    );
    assert.equal(heard[0].detail.key, "Which misfit is largest?");
  });

  test("stops listening when the view is removed", () => {
    const model = fakeModel();
    const { el, heard } = fakeElement();
    const cleanup = beacon.render({ model, el });
    assert.equal(model.listeners("msg:custom"), 1);
    cleanup();
    assert.equal(model.listeners("msg:custom"), 0);
    model.send({ kind: "quiz", key: "q", correct: true });
    assert.equal(heard.length, 0);
  });
});
