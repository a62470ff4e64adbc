/**
 * WeChat capabilities behind one interface. Pages and the API client use `platform` only; which implementation
 * they get is decided at build time by Taro's file-suffix resolution (index.weapp.ts / index.h5.ts).
 */
import type { RequestPaymentParams, SubscribeDecision } from '@member/shared';

export type PlatformName = 'weapp' | 'h5' | 'unsupported';

export interface PlatformContext {
  /** From GET /api/public-config; the H5 build needs it to reach the WeChat emulator, weapp ignores it. */
  emulatorBaseUrl: string | null;
}

/** What the cashier shows besides the signed parameters (the H5 stand-in needs it; WeChat's cashier reads the order). */
export interface PaymentContext extends PlatformContext {
  /** What WeChat Pay charges, in fen. */
  amountFen: number;
  /** Where the member pays, e.g. "悦享旗舰店". */
  storeName?: string;
}

/** How the member left the cashier: paid, or closed it without paying (the order stays payable). */
export type PaymentOutcome = 'paid' | 'cancelled';

export interface Platform {
  readonly name: PlatformName;
  /** Origin of the API (no trailing slash, no `/api`); '' means the page's own origin. */
  readonly apiOrigin: string;
  /** A short label for who is logged in on this device, so a stored session is never reused for someone else. */
  identity(): string;
  /** A one-time login code (wx.login on weapp; the emulator's dev endpoint on H5). */
  login(context: PlatformContext): Promise<string>;
  /** Whether scanCode can open a camera scanner here. */
  readonly canScan: boolean;
  /** Opens the scanner; resolves to the scanned text, or null when the person cancelled. */
  scanCode(): Promise<string | null>;
  /** Full brightness while the member code is on screen; `false` restores what it was. */
  keepScreenBright(on: boolean): Promise<void>;
  /** Hides the screen content in screenshots and recordings while the member code is on screen. */
  protectFromCapture(on: boolean): Promise<void>;
  /** Calls `listener` when the person takes a screenshot; returns the unsubscribe function. */
  onScreenCapture(listener: () => void): () => void;
  /** Opens the WeChat privacy contract (weapp); false when there is none to show. */
  openPrivacyContract(): Promise<boolean>;
  /**
   * Opens WeChat Pay's cashier with the parameters the server made and signed (wx.requestPayment on weapp; the
   * emulator's cashier on H5). Resolves 'paid' or 'cancelled'; rejects with a zh-CN message on any other failure.
   * 'paid' only means the cashier said so: the order's status comes from the server (GET …?confirm=1).
   */
  requestPayment(params: RequestPaymentParams, context: PaymentContext): Promise<PaymentOutcome>;
  /**
   * Puts subscription-message templates to the member (wx.requestSubscribeMessage on weapp; a modal standing in
   * for WeChat's sheet plus the emulator on H5), at most MAX_TEMPLATES_PER_SUBSCRIBE_CALL ids (more are dropped).
   * WeChat accepts the call only inside a tap: call it before the tap handler's first await; it reaches WeChat
   * synchronously. Resolves template id → decision; {} when nothing was decided (WeChat's main switch off,
   * errCode 20004, no network, not supported here). Never rejects.
   * `titles`: template id → zh-CN title, which the H5 stand-in shows (WeChat's sheet reads its own).
   */
  requestSubscribeMessage(
    templateIds: string[],
    titles: Record<string, string>,
    context: PlatformContext,
  ): Promise<Record<string, SubscribeDecision>>;
}

/** Props of the phone-number button; the platform file decides how the code is obtained. */
export interface PhoneNumberButtonProps {
  id?: string;
  /** Button text. */
  label?: string;
  disabled?: boolean;
  loading?: boolean;
  /** A getPhoneNumber code, to send to the server within 5 minutes. */
  onCode: (code: string) => void;
  /** The person declined or the code could not be obtained: a message for them. */
  onFail?: (message: string) => void;
}

/** Props of the avatar picker. */
export interface AvatarPickerProps {
  avatarUrl: string | null;
  disabled?: boolean;
  /** weapp: a temporary file path to upload; h5: an https URL typed in. */
  onPick: (picked: { kind: 'file' | 'url'; value: string }) => void;
}

/** Props of the birthday field ("YYYY-MM-DD"). */
export interface BirthdayFieldProps {
  value: string;
  disabled?: boolean;
  /** Latest selectable date ("YYYY-MM-DD"), normally today. */
  end: string;
  onChange: (value: string) => void;
}

/** platform/ContactButton: WeChat's customer-service chat (open-type="contact"); in a browser, a call button. */
export interface ContactButtonProps {
  id?: string;
  /** The customer service number (brand config), dialled where there is no chat. */
  phone: string;
}
