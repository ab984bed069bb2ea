// The studio's script editor: CodeMirror 6, a small Fountain mode, completion of shot
// directives from storyreel's vocabulary (sent by the server), an inline error at its line,
// and a highlight of the lines of the shot the reel is showing.
import {EditorState, StateEffect, StateField, RangeSetBuilder} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, Decoration, drawSelection} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {StreamLanguage, syntaxHighlighting, HighlightStyle} from "@codemirror/language";
import {autocompletion, completionKeymap} from "@codemirror/autocomplete";
import {linter, lintGutter, setDiagnostics} from "@codemirror/lint";
import {searchKeymap} from "@codemirror/search";
import {tags as t} from "@lezer/highlight";

// Fountain, line by line: scene headings, transitions, characters (a line in capitals before
// dialogue), parentheticals, notes [[ ... ]] (where shot directives live), sections, synopses.
const fountain = StreamLanguage.define({
  startState: () => ({inNote: false, afterCharacter: false, blank: true}),
  token(stream, state) {
    if (state.inNote) {
      if (stream.skipTo("]]")) { stream.next(); stream.next(); state.inNote = false; }
      else stream.skipToEnd();
      return "meta";
    }
    if (stream.sol()) {
      const line = stream.string;
      const wasBlank = state.blank;
      state.blank = line.trim() === "";
      if (state.blank) { state.afterCharacter = false; stream.skipToEnd(); return null; }
      if (stream.match(/^\s*\[\[/, false)) { /* a note starts the line */ }
      else if (/^(INT|EXT|EST|INT\.?\/EXT|I\/E)[. ]/i.test(line) || /^\.[A-Za-z]/.test(line)) {
        stream.skipToEnd(); return "heading";
      } else if (/^#/.test(line)) { stream.skipToEnd(); return "heading"; }
      else if (/^=/.test(line)) { stream.skipToEnd(); return "comment"; }
      else if (/^\s*[A-Z0-9 .\-']+(TO:|IN:|OUT\.?)\s*$/.test(line) || /^>/.test(line)) {
        stream.skipToEnd(); return "keyword";
      } else if (/^[A-Z][A-Z0-9 .'\-]*(\s*\(.*\))?\s*\^?$/.test(line.trim()) && wasBlank && !/^\w+:/.test(line)) {
        state.afterCharacter = true; stream.skipToEnd(); return "atom";
      } else if (state.afterCharacter && /^\s*\(.*\)\s*$/.test(line)) {
        stream.skipToEnd(); return "comment";
      } else if (/^[A-Za-z ]+:/.test(line) && stream.pos === 0 && !state.afterCharacter) {
        stream.match(/^[A-Za-z ]+:/); return "propertyName";
      }
    }
    if (stream.match("[[")) { state.inNote = true; return "meta"; }
    if (stream.skipTo("[[")) return state.afterCharacter ? "string" : null;
    stream.skipToEnd();
    return state.afterCharacter ? "string" : null;
  },
  blankLine(state) { state.blank = true; state.afterCharacter = false; },
});

const calm = HighlightStyle.define([
  {tag: t.heading, color: "#e8c27a", fontWeight: "600"},
  {tag: t.keyword, color: "#9aa5b1", fontStyle: "italic"},
  {tag: t.atom, color: "#8fb8de", fontWeight: "600"},
  {tag: t.string, color: "#d8dee4"},
  {tag: t.comment, color: "#7d8790"},
  {tag: t.meta, color: "#86c9a4"},
  {tag: t.propertyName, color: "#c7a4e0"},
]);

const theme = EditorView.theme({
  "&": {color: "#d8dee4", backgroundColor: "#15181c", height: "100%", fontSize: "14px"},
  ".cm-content": {fontFamily: "'Courier Prime', 'Courier New', monospace", caretColor: "#e8c27a", padding: "12px 0"},
  ".cm-gutters": {backgroundColor: "#15181c", color: "#4d5660", border: "none"},
  ".cm-activeLine": {backgroundColor: "#1c2026"},
  ".cm-activeLineGutter": {backgroundColor: "#1c2026"},
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": {backgroundColor: "#2c3a4a"},
  ".cm-shot-playing": {backgroundColor: "rgba(232, 194, 122, 0.07)", boxShadow: "inset 3px 0 #e8c27a"},
  ".cm-tooltip": {backgroundColor: "#1f242a", border: "1px solid #333a42", color: "#d8dee4"},
  ".cm-tooltip-autocomplete ul li[aria-selected]": {backgroundColor: "#2c3a4a", color: "#fff"},
  ".cm-diagnostic-error": {borderLeft: "4px solid #e06c75"},
  ".cm-lintRange-error": {backgroundImage: "none", textDecoration: "underline wavy #e06c75"},
  ".cm-scroller": {overflow: "auto"},
}, {dark: true});

// The lines of the shot being played, drawn as a band.
const setPlaying = StateEffect.define();
const playing = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setPlaying)) continue;
      const b = new RangeSetBuilder();
      const {start, end} = e.value || {};
      if (start) {
        const doc = tr.state.doc;
        for (let n = Math.max(1, start); n <= Math.min(end, doc.lines); n++) {
          const line = doc.line(n);
          b.add(line.from, line.from, Decoration.line({class: "cm-shot-playing"}));
        }
      }
      deco = b.finish();
    }
    return deco;
  },
  provide: f => EditorView.decorations.from(f),
});

function directiveCompletion(vocabulary) {
  const options = [];
  const add = (words, type, detail) => words.forEach(w => options.push({label: w, type, detail}));
  add(vocabulary.sizes || [], "class", "size");
  add(vocabulary.angles || [], "constant", "angle");
  add(vocabulary.moves || [], "function", "move");
  add(vocabulary.transitions || [], "keyword", "transition");
  add(vocabulary.easings || [], "variable", "easing");
  const keywords = (vocabulary.keywords || []).map(k => ({label: k + ": ", type: "keyword", detail: "directive"}));
  return context => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const open = before.lastIndexOf("[["), close = before.lastIndexOf("]]");
    if (open < 0 || close > open) return null;
    const word = context.matchBefore(/[\w-]*/);
    const inside = before.slice(open + 2);
    if (!inside.includes(":")) return {from: word.from, options: keywords, validFor: /^[\w-]*$/};
    if (word.from === word.to && !context.explicit && !/[,:\s]$/.test(before)) return null;
    return {from: word.from, options, validFor: /^[\w-]*$/};
  };
}

export function create(parent, {doc = "", vocabulary = {}, onChange, onCursor, onSave} = {}) {
  let silent = false;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), EditorView.lineWrapping,
        fountain, syntaxHighlighting(calm), theme, playing, lintGutter(), linter(null),
        autocompletion({override: [directiveCompletion(vocabulary)]}),
        keymap.of([
          {key: "Mod-s", preventDefault: true, run: () => { onSave && onSave(); return true; }},
          ...completionKeymap, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab,
        ]),
        EditorView.updateListener.of(u => {
          if (u.docChanged && !silent && onChange) onChange();
          if ((u.selectionSet || u.docChanged) && onCursor) {
            onCursor(u.state.doc.lineAt(u.state.selection.main.head).number);
          }
        }),
      ],
    }),
  });
  return {
    view,
    getDoc: () => view.state.doc.toString(),
    setDoc(text) {
      silent = true;
      const head = Math.min(view.state.selection.main.head, text.length);
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}, selection: {anchor: head}});
      silent = false;
    },
    setError(line, message) {
      const doc = view.state.doc;
      const l = doc.line(Math.max(1, Math.min(line || 1, doc.lines)));
      view.dispatch(setDiagnostics(view.state, [{from: l.from, to: l.to, severity: "error", message}]));
    },
    clearError() { view.dispatch(setDiagnostics(view.state, [])); },
    showShot(start, end, scroll) {
      const effects = [setPlaying.of(start ? {start, end} : null)];
      if (scroll && start && start <= view.state.doc.lines) {
        effects.push(EditorView.scrollIntoView(view.state.doc.line(start).from, {y: "nearest"}));
      }
      view.dispatch({effects});
    },
    cursorLine: () => view.state.doc.lineAt(view.state.selection.main.head).number,
    focus: () => view.focus(),
  };
}
