export { LinkPicker } from "./LinkPicker";
export { LinkTreePanel } from "./LinkTreePanel";
