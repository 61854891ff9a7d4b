/** The server's executeCommand ids: announced at initialize, before the features themselves load. */
export const GENERATE_SPLIT_COMMAND = 'medseg.generateSplit';
export const CREATE_FOLDER_COMMAND = 'medseg.createFolder';
