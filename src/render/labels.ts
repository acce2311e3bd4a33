// The labels on every child of an Agent. The operator finds its children by them, and the Deployment
// and Service select pods by a subset of them.
import { LABEL_KEYS, MANAGED_BY } from '../api/group-version.js';
import { sortedRecord } from './sorted-keys.js';

/** The labels every child carries. */
export function standardLabels(agentName: string): Record<string, string> {
  return sortedRecord({
    [LABEL_KEYS.name]: agentName,
    [LABEL_KEYS.instance]: agentName,
    [LABEL_KEYS.managedBy]: MANAGED_BY,
    [LABEL_KEYS.partOf]: MANAGED_BY,
    [LABEL_KEYS.agent]: agentName,
  });
}

/**
 * The pod selector of the Deployment, Service and NetworkPolicy. A Deployment's selector is
 * immutable, so it holds only labels that can never change for an Agent: never the user's podLabels.
 * Two labels rather than one so that a stray pod labelled by hand with one of them is not selected.
 */
export function selectorLabels(agentName: string): Record<string, string> {
  return sortedRecord({
    [LABEL_KEYS.instance]: agentName,
    [LABEL_KEYS.agent]: agentName,
  });
}

/**
 * Labels of the agent pods: the user's podLabels, then the standard labels on top, so a reserved key
 * can never be overridden (the schema rejects them too; this holds even if that check were bypassed).
 */
export function podLabels(agentName: string, userLabels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return sortedRecord({ ...(userLabels ?? {}), ...standardLabels(agentName) });
}
