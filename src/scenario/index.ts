// Public API of the scenarios (browser-safe): run one, render it, export its packets.
export { runScenario, prepareScenario, kernelCase, SCENARIOS, type ScenarioInfo, type RunScenarioOptions, type KernelCase } from './scenarios.js';
export { World, Host, Conn, ADDRESSES, type WorldOptions } from './world.js';
export type { ScenarioHost, ScenarioConn } from './actors.js';
export { compareRecordings, unmatchedSegments, type KernelComparison, type Difference, type DifferenceKind } from './compare.js';
export { Recorder, type RecorderInit } from './recorder.js';
export { toJson, tcpdumpFlags, flagWords, formatTime, formatDuration } from './recording.js';
export type { Recording, RecordingJson, SegmentRecord, TransitionRecord, HostOutcome, HostName, IcmpRecord, NoteRecord, PacketRecord } from './recording.js';
export { renderLadder, type LadderOptions } from './ladder.js';
export { renderSvg, STATE_COLORS, type SvgOptions } from './svg.js';
export { renderHtml, renderComparisonHtml } from './html.js';
export { recordingToPcap } from './pcap.js';
export { ladderRows, isns, segmentLabel, segmentDetails, outcomeText, type LadderRow, type SeqBases } from './timeline.js';
