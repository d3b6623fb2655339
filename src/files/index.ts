/**
 * Files as the portal takes and gives them: Base64 pairs for fields (in memory, or streamed into the request
 * body), the two-step Drive upload streamed as multipart, and downloads of the links the portal returns.
 */
export { type DiskUploadClient, type DiskUploadOptions, type DiskUploadTarget, uploadDiskFile } from './disk-upload.js'
export { type DownloadOptions, downloadFile, type FileDownload } from './download.js'
export {
  DEFAULT_MAX_FILE_BYTES,
  type FileDataValue,
  type FilePair,
  type FileReadOptions,
  fileData,
  filePair,
  StreamedFile,
  streamedFile,
} from './file-data.js'
export { type SendWithFilesOptions, sendWithFiles } from './send.js'
export type { FileSource } from './source.js'
export { type FileClient, type SignedUrl, signFileUrl, type TransferOptions } from './transfer.js'
