/** The part of GOV.UK's accessible-autocomplete (npm `accessible-autocomplete`) that Rollcall uses. */
declare module 'accessible-autocomplete' {
  interface CommonOptions {
    defaultValue?: string;
    showAllValues?: boolean;
    minLength?: number;
    autoselect?: boolean;
    confirmOnBlur?: boolean;
    dropdownArrow?: () => string;
    source?: (query: string, populate: (results: string[]) => void) => void;
    onConfirm?: (chosen: string | undefined) => void;
    tNoResults?: () => string;
    tStatusQueryTooShort?: (minQueryLength: number) => string;
    tStatusNoResults?: () => string;
    tStatusSelectedOption?: (selectedOption: string, length: number, index: number) => string;
    tStatusResults?: (length: number, contentSelectedOption: string) => string;
    tAssistiveHint?: () => string;
  }
  interface EnhanceOptions extends CommonOptions {
    selectElement: HTMLSelectElement;
  }
  interface Options extends CommonOptions {
    element: HTMLElement;
    id: string;
    name?: string;
    source: (query: string, populate: (results: string[]) => void) => void;
  }
  const accessibleAutocomplete: {
    (options: Options): void;
    enhanceSelectElement(options: EnhanceOptions): void;
  };
  export default accessibleAutocomplete;
}
