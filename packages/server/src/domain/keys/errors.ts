/**
 * Errors of the keyring, with stable codes. The class is defined with the sealing contract
 * (store/key-sealing.ts) because the store's encryption layer raises ERR_KEYRING_KEY_UNREADABLE
 * too and may not import the domain; one class keeps `instanceof KeyringError` true for both.
 *
 * @example if (error instanceof KeyringError && error.code === 'ERR_KEYRING_KEY_NOT_FOUND') reply404();
 */
export { KeyringError, type KeyringErrorCode } from '../../store/key-sealing.js';
